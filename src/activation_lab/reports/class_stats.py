"""What the class report shows, computed from the JSON reports of a results folder (no student code runs)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from activation_lab.reports.report import ReportJSON

LIMIT_STATUSES = ("error", "timeout", "memory")
EXAMPLE_CAP = 400  # characters of feedback shown as a misconception's example
BINS = 10


@dataclass(frozen=True, slots=True)
class Distribution:
    """The class's totals as percentages of the fixed maximum, and a 10-bin histogram (0-10 %, ...)."""

    percents: tuple[float, ...]
    counts: tuple[int, ...]
    mean: float
    median: float
    stdev: float
    max_score: float


@dataclass(frozen=True, slots=True)
class ExerciseStats:
    """One exercise over the class."""

    id: str
    max_score: float
    submissions: int  # reports that are not errors
    submitted: int  # the file was there
    mean_score: float  # over submitted
    full_marks: int
    failure_rate: float  # submitted but below full marks, as a fraction of submitted
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckStats:
    """One hidden test over every submission that had its file."""

    exercise: str
    name: str
    hidden: bool
    max_score: float
    runs: int
    passed: int
    failed: int
    errored: int
    mean_score: float

    @property
    def failure_rate(self) -> float:
        """Failed or errored, as a fraction of runs."""
        return (self.failed + self.errored) / self.runs if self.runs else 0.0


@dataclass(frozen=True, slots=True)
class Misconception:
    """A recognised misconception behind a failed test: how many students hit it, with one example."""

    key: str
    students: int
    example_submission: str
    example_exercise: str
    example_test: str
    example_feedback: str


@dataclass(frozen=True, slots=True)
class QuizItemStats:
    """Difficulty and discrimination of one quiz item, from the graded reports."""

    id: str
    points: float
    students: int
    p: float
    discrimination: float
    point_biserial: float
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Trouble:
    """A submission that errored, or an exercise that timed out, hit the memory cap or did not import."""

    submission: str
    exercise: str
    status: str
    detail: str
    kind: str = ""  # for a submission error: submission (the student's input) or grader


@dataclass(frozen=True, slots=True)
class ClassStats:
    """Everything on the class report."""

    reports: int
    graded: int
    distribution: Distribution
    exercises: tuple[ExerciseStats, ...]
    tests: tuple[CheckStats, ...]
    misconceptions: tuple[Misconception, ...]
    quiz_items: tuple[QuizItemStats, ...]
    quiz_students: int
    troubles: tuple[Trouble, ...]


def _distribution(reports: Sequence[ReportJSON]) -> Distribution:
    graded = [r for r in reports if r["status"] == "graded"]
    maximum = max((r["max_score"] for r in reports), default=0.0)
    percents = tuple(100.0 * r["score"] / r["max_score"] if r["max_score"] else 0.0 for r in graded)
    counts = [0] * BINS
    for value in percents:
        counts[min(BINS - 1, max(0, int(value // (100 / BINS))))] += 1
    mean = statistics.fmean(percents) if percents else math.nan
    median = statistics.median(percents) if percents else math.nan
    stdev = statistics.pstdev(percents) if len(percents) > 1 else 0.0
    return Distribution(percents, tuple(counts), mean, median, stdev, maximum)


def _exercises(reports: Sequence[ReportJSON], exercise_ids: Sequence[str]) -> tuple[ExerciseStats, ...]:
    out = []
    graded = [r for r in reports if r["status"] == "graded"]
    for exercise_id in exercise_ids:
        rows = [e for r in graded for e in r["exercises"] if e["id"] == exercise_id]
        submitted = [e for e in rows if e["status"] != "missing"]
        maximum = max((e["max_score"] for e in rows), default=0.0)
        statuses: dict[str, int] = {}
        for e in rows:
            statuses[e["status"]] = statuses.get(e["status"], 0) + 1
        full = sum(1 for e in submitted if e["score"] >= e["max_score"] - 1e-9)
        out.append(
            ExerciseStats(
                id=exercise_id,
                max_score=maximum,
                submissions=len(rows),
                submitted=len(submitted),
                mean_score=statistics.fmean(e["score"] for e in submitted) if submitted else math.nan,
                full_marks=full,
                failure_rate=(len(submitted) - full) / len(submitted) if submitted else 0.0,
                statuses=dict(sorted(statuses.items())),
            )
        )
    return tuple(out)


def _tests(reports: Sequence[ReportJSON]) -> tuple[CheckStats, ...]:
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for report in reports:
        for exercise in report["exercises"]:
            for test in exercise["tests"]:
                row = table.setdefault(
                    (exercise["id"], test["name"]),
                    {
                        "hidden": test["hidden"],
                        "max": test["max_score"],
                        "n": 0,
                        "passed": 0,
                        "failed": 0,
                        "error": 0,
                        "sum": 0.0,
                    },
                )
                row["n"] += 1
                row[test["status"] if test["status"] in ("passed", "failed") else "error"] += 1
                row["sum"] += test["score"]
    stats = [
        CheckStats(
            exercise,
            name,
            row["hidden"],
            row["max"],
            row["n"],
            row["passed"],
            row["failed"],
            row["error"],
            row["sum"] / row["n"],
        )
        for (exercise, name), row in table.items()
    ]
    return tuple(sorted(stats, key=lambda t: (-t.failure_rate, t.exercise, t.name)))


def _misconceptions(reports: Sequence[ReportJSON]) -> tuple[Misconception, ...]:
    hits: dict[str, set[str]] = {}
    examples: dict[str, tuple[str, str, str, str]] = {}
    for report in sorted(reports, key=lambda r: r["submission"]):
        for exercise in report["exercises"]:
            for test in exercise["tests"]:
                if (
                    test["status"] == "passed"
                ):  # advice on a passed test is not a misconception that cost points
                    continue
                for key in test.get("hints", []):
                    hits.setdefault(key, set()).add(report["submission"])
                    if key not in examples:
                        feedback = test["feedback"]
                        if len(feedback) > EXAMPLE_CAP:
                            feedback = feedback[:EXAMPLE_CAP] + "…"
                        examples[key] = (report["submission"], exercise["id"], test["name"], feedback)
    ranked = sorted(hits, key=lambda k: (-len(hits[k]), k))
    return tuple(Misconception(k, len(hits[k]), *examples[k]) for k in ranked)


def _quiz_items(reports: Sequence[ReportJSON]) -> tuple[tuple[QuizItemStats, ...], int]:
    from activation_lab.quiz.stats import _flags, item_statistics

    with_quiz = sorted((r for r in reports if r["quiz"] is not None), key=lambda r: r["submission"])
    if not with_quiz:
        return (), 0
    order: dict[str, float] = {}
    for report in with_quiz:
        for item in report["quiz"]["items"]:  # type: ignore[index]
            if item["max_score"] > 0:
                order.setdefault(item["id"], item["max_score"])
    ids = list(order)
    scores = np.zeros((len(with_quiz), len(ids)))
    index = {item_id: j for j, item_id in enumerate(ids)}
    for s, report in enumerate(with_quiz):
        for item in report["quiz"]["items"]:  # type: ignore[index]
            if item["id"] in index:
                scores[s, index[item["id"]]] = item["score"]
    points = np.array([order[i] for i in ids])
    computed = item_statistics(scores, points, [r["submission"] for r in with_quiz])
    items = tuple(
        QuizItemStats(
            item_id,
            order[item_id],
            len(with_quiz),
            c["p"],
            c["discrimination"],
            c["point_biserial"],
            _flags(c),
        )
        for item_id, c in zip(ids, computed, strict=True)
    )
    return items, len(with_quiz)


def _troubles(reports: Sequence[ReportJSON]) -> tuple[Trouble, ...]:
    out = []
    for report in sorted(reports, key=lambda r: r["submission"]):
        if report["status"] == "error":
            out.append(
                Trouble(
                    report["submission"],
                    "",
                    "error",
                    report.get("error") or "",
                    report.get("error_kind") or "",
                )
            )
            continue
        for exercise in report["exercises"]:
            if exercise["status"] in LIMIT_STATUSES:
                detail = " ".join(exercise["notes"])[:EXAMPLE_CAP]
                out.append(Trouble(report["submission"], exercise["id"], exercise["status"], detail))
    return tuple(out)


def class_stats(reports: Sequence[ReportJSON], exercise_ids: Sequence[str]) -> ClassStats:
    """Compute every section of the class report from the reports."""
    items, quiz_students = _quiz_items(reports)
    return ClassStats(
        reports=len(reports),
        graded=sum(1 for r in reports if r["status"] == "graded"),
        distribution=_distribution(reports),
        exercises=_exercises(reports, exercise_ids),
        tests=_tests(reports),
        misconceptions=_misconceptions(reports),
        quiz_items=items,
        quiz_students=quiz_students,
        troubles=_troubles(reports),
    )
