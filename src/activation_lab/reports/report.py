"""The published outputs of grading: the JSON report (CONTRACT §3), grades.csv and the terminal table."""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

from activation_lab.i18n import message
from activation_lab.records import CheckOutcome, ExerciseResult, QuizResult, SubmissionReport

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schemas") / "report.schema.json"
# Fields a report may carry that change from run to run of the same submission; none are written today, but
# readers comparing reports (tests, --resume) drop these names so a future timing field cannot break them.
VOLATILE_FIELDS = frozenset({"timing", "duration", "execution_time"})


class CheckJSON(TypedDict):
    """One hidden test in the JSON report."""

    name: str
    score: float
    max_score: float
    status: str
    hidden: bool
    feedback: str
    hints: list[str]


class ExerciseJSON(TypedDict):
    """One exercise in the JSON report."""

    id: str
    score: float
    max_score: float
    status: str
    attempted: bool
    tests: list[CheckJSON]
    notes: list[str]
    hints: list[str]


class QuizItemJSON(TypedDict):
    """One quiz item in the JSON report."""

    id: str
    score: float
    max_score: float
    feedback: str


class QuizJSON(TypedDict):
    """The quiz part of the JSON report."""

    score: float
    max_score: float
    items: list[QuizItemJSON]


class ReportJSON(TypedDict):
    """The JSON report of one submission (CONTRACT §3 plus documented extra fields)."""

    schema_version: int
    submission: str
    status: str
    score: float
    max_score: float
    exercises: list[ExerciseJSON]
    quiz: QuizJSON | None
    error: str | None
    error_kind: str | None
    notes: list[str]
    hints: list[str]
    seed: int | None
    lang: str
    suite_version: str
    engine_version: str
    isolation: str
    quiz_version: str
    suite_hash: str
    content_hash: str


def points(value: float) -> float:
    """A score as a plain float rounded to 6 decimals, so sums of fractional points compare cleanly."""
    return round(float(value), 6) + 0.0  # + 0.0 turns -0.0 into 0.0


def _test_json(test: CheckOutcome) -> CheckJSON:
    return {
        "name": test.name,
        "score": points(test.score),
        "max_score": points(test.max_score),
        "status": test.status,
        "hidden": bool(test.hidden),
        "feedback": test.feedback,
        "hints": list(test.hints),
    }


def _exercise_json(exercise: ExerciseResult) -> ExerciseJSON:
    hints = sorted({hint for test in exercise.tests for hint in test.hints})
    return {
        "id": exercise.id,
        "score": points(exercise.score),
        "max_score": points(exercise.max_score),
        "status": exercise.status,
        "attempted": bool(exercise.attempted),
        "tests": [_test_json(test) for test in exercise.tests],
        "notes": list(exercise.notes),
        "hints": hints,
    }


def _quiz_json(quiz: QuizResult) -> QuizJSON:
    return {
        "score": points(quiz.score),
        "max_score": points(quiz.max_score),
        "items": [
            {
                "id": item.id,
                "score": points(item.score),
                "max_score": points(item.max_score),
                "feedback": item.feedback,
            }
            for item in quiz.items
        ],
    }


def report_to_json(report: SubmissionReport) -> ReportJSON:
    """The JSON-ready dict of one report, fields in a fixed order (equal reports, equal bytes)."""
    extra = report.extra
    exercises = [_exercise_json(exercise) for exercise in report.exercises]
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": report.submission,
        "status": report.status,
        "score": points(report.score),
        "max_score": points(report.max_score),
        "exercises": exercises,
        "quiz": None if report.quiz is None else _quiz_json(report.quiz),
        "error": report.error,
        "error_kind": extra.get("error_kind"),
        "notes": list(report.notes),
        "hints": sorted({hint for exercise in exercises for hint in exercise["hints"]}),
        "seed": extra.get("seed"),
        "lang": str(extra.get("lang", "")),
        "suite_version": str(extra.get("suite_version", "")),
        "engine_version": str(extra.get("engine_version", "")),
        "isolation": str(extra.get("isolation", "")),
        "quiz_version": str(extra.get("quiz_version", "")),
        "suite_hash": str(extra.get("suite_hash", "")),
        "content_hash": report.content_hash,
    }


def dumps_report(data: Any) -> str:
    """Serialise a report (or a list of them) the one way: UTF-8 text, indented, newline-ended."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def without_volatile(data: Any) -> Any:
    """A copy of a report with the volatile fields removed at every level (for comparisons)."""
    if isinstance(data, dict):
        return {k: without_volatile(v) for k, v in data.items() if k not in VOLATILE_FIELDS}
    if isinstance(data, list):
        return [without_volatile(v) for v in data]
    return data


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    A reader (or an interrupted run) sees either the old file or the complete new one, never a partial one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w",
        encoding="utf-8",
        newline="",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".tmp",
        delete=False,
    )
    try:
        with handle:
            handle.write(text)
        os.chmod(handle.name, 0o666 & ~_umask())  # mkstemp creates 0600; results are meant to be shared
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_report(path: Path, data: ReportJSON) -> None:
    """Write one JSON report atomically."""
    write_atomic(path, dumps_report(data))


def read_report(path: Path) -> ReportJSON | None:
    """Read a report written by :func:`write_report`; ``None`` when the file is not a complete report."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION or "submission" not in data:
        return None
    return data  # type: ignore[return-value]


def _cell(value: float) -> str:
    """A score for grades.csv: up to 4 decimals, no trailing zeros."""
    return format(round(float(value), 4), ".12g")


def _shown(value: float) -> str:
    """A score for the terminal: up to 2 decimals."""
    return format(round(float(value), 2), ".12g")


def csv_columns(exercise_ids: Sequence[str]) -> list[str]:
    """The header of grades.csv: submission, one column per exercise, quiz, total, max_total, status."""
    return ["submission", *exercise_ids, "quiz", "total", "max_total", "status"]


def grades_csv(reports: Iterable[ReportJSON], exercise_ids: Sequence[str]) -> str:
    """grades.csv as text: one row per report; an absent exercise and a null quiz are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_columns(exercise_ids))
    for report in reports:
        by_id = {exercise["id"]: exercise for exercise in report["exercises"]}
        row = [report["submission"]]
        row += [_cell(by_id[e]["score"]) if e in by_id else "" for e in exercise_ids]
        row.append("" if report["quiz"] is None else _cell(report["quiz"]["score"]))
        row += [_cell(report["score"]), _cell(report["max_score"]), report["status"]]
        writer.writerow(row)
    return out.getvalue()


def write_grades_csv(path: Path, reports: Iterable[ReportJSON], exercise_ids: Sequence[str]) -> None:
    """Write grades.csv atomically."""
    write_atomic(path, grades_csv(reports, exercise_ids))


def _status_text(status: str, lang: str) -> str:
    try:
        return message("grading", f"status.{status}", lang)
    except KeyError:
        return status


_STATUS_STYLE = {
    "graded": "green",
    "passed": "green",
    "failed": "red",
    "error": "bold red",
    "missing": "yellow",
}


def summary_table(reports: Sequence[ReportJSON], exercise_ids: Sequence[str], lang: str) -> Any:
    """A rich table with one row per submission: exercise scores, quiz, total and status."""
    from rich.table import Table

    def t(key: str) -> str:
        return message("grading", f"table.{key}", lang)

    table = Table(title=None, show_lines=False)
    table.add_column(t("submission"), no_wrap=True)
    for exercise_id in exercise_ids:
        table.add_column(exercise_id, justify="right", no_wrap=True)
    table.add_column(t("quiz"), justify="right", no_wrap=True)
    table.add_column(t("total"), justify="right", no_wrap=True)
    table.add_column(t("status"), no_wrap=True)
    for report in reports:
        by_id = {exercise["id"]: exercise for exercise in report["exercises"]}
        cells = [report["submission"]]
        for exercise_id in exercise_ids:
            exercise = by_id.get(exercise_id)
            if exercise is None:
                cells.append("")
            elif exercise["status"] == "graded":
                cells.append(_shown(exercise["score"]))
            else:
                style = _STATUS_STYLE.get(exercise["status"], "red")
                cells.append(f"[{style}]{_status_text(exercise['status'], lang)}[/]")
        cells.append("-" if report["quiz"] is None else _shown(report["quiz"]["score"]))
        cells.append(f"{_shown(report['score'])} / {_shown(report['max_score'])}")
        style = _STATUS_STYLE.get(report["status"], "red")
        cells.append(f"[{style}]{_status_text(report['status'], lang)}[/]")
        table.add_row(*cells)
    if len(reports) > 1:
        percents = [100 * r["score"] / r["max_score"] if r["max_score"] else 0.0 for r in reports]
        table.caption = message(
            "grading", "table.summary", lang, count=len(reports), median=_shown(statistics.median(percents))
        )
    return table


def detail_table(report: ReportJSON, lang: str) -> Any:
    """A rich table with every test of one submission that did not pass or gave advice, with its feedback."""
    from rich.markup import escape
    from rich.table import Table

    def t(key: str) -> str:
        return message("grading", f"table.{key}", lang)

    table = Table(title=report["submission"], show_lines=True)
    table.add_column(t("exercise"))
    table.add_column(t("test"), overflow="fold")
    table.add_column(t("score"), justify="right")
    table.add_column(t("feedback"), overflow="fold")
    for exercise in report["exercises"]:
        if not exercise["tests"] and exercise["notes"]:
            table.add_row(exercise["id"], "", _shown(exercise["score"]), escape("\n".join(exercise["notes"])))
        for test in exercise["tests"]:
            if test["status"] == "passed" and not test["hints"]:
                continue  # a passed test shows only when it carries advice (never a deduction)
            name = test["name"] + (" " + t("hidden_test") if test["hidden"] else "")
            score = f"{_shown(test['score'])} / {_shown(test['max_score'])}"
            table.add_row(exercise["id"], escape(name), score, escape(test["feedback"]))
    if report["error"]:
        table.add_row("", "", "", f"[bold red]{escape(report['error'])}[/]")
    if not table.rows:  # an empty table would look like a crash; say that everything passed
        table.add_row("", "", "", t("all_passed"))
    return table
