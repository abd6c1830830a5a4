"""Gradescope's results.json from a grading report: tests, hidden-test visibility, numeric execution time."""

from __future__ import annotations

from typing import TypedDict

from activation_lab.i18n import message
from activation_lab.reports.report import ReportJSON, points

SUBMISSION_DIR = "/autograder/submission"
RESULTS_FILE = "/autograder/results/results.json"
HIDDEN_VISIBILITIES = ("after_published", "hidden", "after_due_date", "visible")


class _GradescopeTestRequired(TypedDict):
    name: str
    score: float
    max_score: float
    status: str
    output: str
    visibility: str


class GradescopeTestJSON(_GradescopeTestRequired, total=False):
    """One entry of Gradescope's ``tests`` list."""

    output_format: str


class GradescopeResultsJSON(TypedDict):
    """Gradescope's results.json (the subset of its specification that activation-lab writes)."""

    score: float
    execution_time: float
    output: str
    output_format: str
    stdout_visibility: str
    visibility: str
    tests: list[GradescopeTestJSON]
    extra_data: dict[str, object]


def _test(
    name: str, score: float, max_score: float, passed: bool, output: str, visibility: str
) -> GradescopeTestJSON:
    return {
        "name": name,
        "score": points(score),
        "max_score": points(max_score),
        "status": "passed" if passed else "failed",
        "output": output,
        "visibility": visibility,
        "output_format": "text",
    }


def results_json(
    report: ReportJSON, *, lang: str, execution_time: float, hidden_visibility: str = "after_published"
) -> GradescopeResultsJSON:
    """Map one report to Gradescope's results.json.

    Every hidden test (and every quiz item, whose feedback names the right answer) gets ``hidden_visibility``;
    public tests are ``visible``. An exercise without tests (missing, or not importable) is one test
    carrying the exercise's points and its notes.
    """
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {HIDDEN_VISIBILITIES}")
    tests: list[GradescopeTestJSON] = []
    for exercise in report["exercises"]:
        notes = "\n".join(exercise["notes"])
        if not exercise["tests"]:
            name = message(
                "grading",
                "gradescope.exercise_status",
                lang,
                exercise=exercise["id"],
                status=message("grading", f"status.{exercise['status']}", lang),
            )
            passed = exercise["score"] >= exercise["max_score"]
            tests.append(_test(name, exercise["score"], exercise["max_score"], passed, notes, "visible"))
            continue
        for index, test in enumerate(exercise["tests"]):
            output = test["feedback"]
            if index == 0 and notes:
                output = f"{notes}\n{output}".strip()
            visibility = hidden_visibility if test["hidden"] else "visible"
            tests.append(
                _test(
                    f"{exercise['id']}: {test['name']}",
                    test["score"],
                    test["max_score"],
                    test["status"] == "passed",
                    output,
                    visibility,
                )
            )
    for part in report.get("parts", []):
        if part["id"] == "quiz" and part["counted"] and part["status"] == "missing" and part["max_score"] > 0:
            # The quiz counts toward the fixed maximum even when answers.yaml is absent: show it as 0 / max.
            name = message("grading", "gradescope.quiz_missing", lang)
            tests.append(_test(name, 0.0, part["max_score"], False, "", "visible"))
    if report["quiz"] is not None:
        for item in report["quiz"]["items"]:
            name = message("grading", "gradescope.quiz_item", lang, item=item["id"])
            tests.append(
                _test(
                    name,
                    item["score"],
                    item["max_score"],
                    item["score"] >= item["max_score"],
                    item["feedback"],
                    hidden_visibility,
                )
            )
    lines = [
        message(
            "grading",
            "gradescope.summary",
            lang,
            score=f"{report['score']:g}",
            max_score=f"{report['max_score']:g}",
        )
    ]
    lines += report["notes"]
    if report["error"]:
        lines.append(report["error"])
    return {
        "score": points(report["score"]),
        "execution_time": round(max(0.0, execution_time), 3),
        "output": "\n".join(lines),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "tests": tests,
        "extra_data": {
            "activation_lab": {
                key: report.get(key)
                for key in (
                    "submission",
                    "status",
                    "error_kind",
                    "seed",
                    "suite_version",
                    "engine_version",
                    "isolation",
                    "content_hash",
                )
            }
        },
    }
