"""The published face of the hidden suites: every test's title and points per exercise, never its code.

Read by collecting the suites with pytest (no test runs, no student code): the ``title`` and ``points``
markers
the suites declare (``autograder/README.md``) are all that leaves this module.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any

import pytest

from activation_lab.course import Course
from activation_lab.errors import CourseError
from activation_lab.grading.collect import MARKERS, SuiteModule, pytest_args
from activation_lab.grading.suites import load_misconceptions
from activation_lab.records import DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class PublishedTest:
    """One hidden test as students may know it."""

    exercise: str
    title_ko: str
    title_en: str
    points: float
    advice: bool

    def title(self, lang: str) -> str:
        """The title in ``lang``."""
        return self.title_ko if lang == "ko" else self.title_en


@dataclass(frozen=True, slots=True)
class GradingRules:
    """The comparison rules every hidden test applies."""

    extreme: float  # the course's EXTREME (autograder/misconceptions.py)
    rtol: float = DEFAULT_TOLERANCE.rtol
    atol: float = DEFAULT_TOLERANCE.atol


def grading_rules(course: Course) -> GradingRules:
    """The rules of this course's hidden tests."""
    return GradingRules(extreme=load_misconceptions(course).extreme)


class _Collector:
    """A pytest plugin that only reads markers at collection time."""

    def __init__(self) -> None:
        self.tests: list[PublishedTest] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Any, parent: Any) -> pytest.Module:
        module: pytest.Module = SuiteModule.from_parent(parent, path=module_path)
        return module

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            exercise = getattr(getattr(item, "module", None), "EXERCISE", None)
            title = item.get_closest_marker("title")
            points = item.get_closest_marker("points")
            advice = item.get_closest_marker("advice") is not None
            callspec = getattr(item, "callspec", None)
            suffix = f" [{callspec.id}]" if callspec is not None else ""
            kwargs = title.kwargs if title is not None else {}
            self.tests.append(
                PublishedTest(
                    exercise=str(exercise),
                    title_ko=(kwargs.get("ko") or kwargs.get("en") or item.name) + suffix,
                    title_en=(kwargs.get("en") or item.name) + suffix,
                    points=0.0 if advice or points is None else float(points.args[0]),
                    advice=advice,
                )
            )


def published_tests(course: Course) -> dict[str, list[PublishedTest]]:
    """Every hidden test of every exercise, in the manifest's order: ``{exercise id: [tests]}``."""
    collector = _Collector()
    paths = [str(course.root / spec.suite) for spec in course.exercises]
    # the grading's own plugin-free session: no plugin of this machine (hypothesis's alone cost a second of
    # `check --list`), no conftest, no assertion rewriting; the markers are all that is read
    args = pytest_args(course.root, paths, "--collect-only")
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = pytest.main(args, plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise CourseError(f"the hidden suites do not collect: {captured.getvalue()[-2000:]}")
    grouped: dict[str, list[PublishedTest]] = {spec.id: [] for spec in course.exercises}
    for test in collector.tests:
        grouped.setdefault(test.exercise, []).append(test)
    return grouped
