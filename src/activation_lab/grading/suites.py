"""Run the hidden pytest suites of a course against one submission's student code, in one pytest session.

``run_suites`` starts a single in-process ``pytest.main`` over the suites of the exercises present, with a
plugin object that gives the suites their fixtures (``student``, ``reference``, ``check``, ``rng``),
reads the markers of each test (``points``, ``title``, ``public``, ``advice``), calls every test itself to
tell a failed check (the student's mistake) from a broken suite (the grader's), and records a ``CheckOutcome``
per test. Feedback is recorded as messages; no text is rendered here.

Why one long module: the plugin's hooks and fixtures share the per-run state of every exercise (what is
blocked, which tests ran, what the student returned); they are one object by pytest's design.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import io
import os
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from activation_lab.course import Course
from activation_lab.errors import CourseError, ExerciseAborted
from activation_lab.grading.checks import (
    Checker,
    CheckFailure,
    failure_message,
    hint_message,
    is_valid_result,
)
from activation_lab.grading.misconceptions import (
    NO_MISCONCEPTIONS,
    CourseMisconceptions,
    course_misconceptions,
    hints_from_raised,
)
from activation_lab.grading.student import StudentCode
from activation_lab.i18n import Message
from activation_lab.records import (
    CallResult,
    CheckOutcome,
    CheckStatus,
    ExerciseResult,
    ExerciseSpec,
    ExerciseStatus,
    Raised,
)

DOMAIN = "feedback"
MARKERS = (
    "points(n): the points a hidden test is worth",
    "title(en, ko): the bilingual name of a hidden test shown to students",
    "public: the test shows expected values in its feedback (tests are hidden by default)",
    "advice: the test gives advice only, worth 0 points, and never fails",
)
# Plugins the hidden suites do not need; each costs time in every grading session.
DISABLED_PLUGINS = (
    "cacheprovider",
    "randomly",
    "terminal",
    "warnings",  # a warning never fails a test; StudentCode records them per call
    "logging",
    "faulthandler",
    "doctest",
    "junitxml",
    "pastebin",
    "stepwise",
    "legacypath",
    "unittest",
    "debugging",
    "skipping",
    "tmpdir",
    "monkeypatch",
    "recwarn",
    "setuponly",
    "setupplan",
    "subtests",
    # these two run gc.collect() several times per session (~90 ms); the suites start no threads
    "unraisableexception",
    "threadexception",
)
PYTEST_ARGS = (
    *(arg for plugin in DISABLED_PLUGINS for arg in ("-p", f"no:{plugin}")),
    "--disable-plugin-autoload",
    "--noconftest",
    "--import-mode=importlib",
    "--assert=plain",
    "--capture=no",
    "-o",
    "addopts=",
    "-o",
    "python_files=test_*.py",
    "-o",
    "python_functions=test_*",
)


# ----------------------------------------------------------------------------------------------------
# Course content loaded once per process (trusted files only: the reference solutions and the suites)
# ----------------------------------------------------------------------------------------------------


def _import_by_path(path: Path, prefix: str) -> ModuleType:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"_activation_lab_{prefix}_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise CourseError(f"{path} does not import: {type(exc).__name__}: {exc}") from exc
    return module


@cache
def _cached_module(path: str, mtime_ns: int, prefix: str) -> ModuleType:
    return _import_by_path(Path(path), prefix)


def load_reference(course: Course, spec: ExerciseSpec) -> ModuleType:
    """The reference solution of one exercise, imported by file path and cached until the file changes."""
    path = course.solutions_dir / spec.file
    if not path.is_file():
        raise CourseError(f"reference solution {path} does not exist")
    module = _cached_module(str(path.resolve()), path.stat().st_mtime_ns, "reference")
    missing = [f for f in spec.functions if not callable(getattr(module, f, None))]
    if missing:
        raise CourseError(f"reference solution {path} lacks {', '.join(missing)}")
    return module


def load_misconceptions(course: Course) -> CourseMisconceptions:
    """The course's declared misconceptions (``misconceptions = ...`` in the manifest), cached by file."""
    if course.misconceptions is None:
        return NO_MISCONCEPTIONS
    path = course.root / course.misconceptions
    return _course_misconceptions(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _course_misconceptions(path: str, mtime_ns: int) -> CourseMisconceptions:
    return course_misconceptions(_cached_module(path, mtime_ns, "misconceptions"))


def _load_suite(path: Path) -> ModuleType:
    return _cached_module(str(path.resolve()), path.stat().st_mtime_ns, "suite")


class _SuiteModule(pytest.Module):
    """A suite module imported under a name unique to its path: suites of two course copies never collide."""

    def _getobj(self) -> ModuleType:
        return _load_suite(self.path)


# ----------------------------------------------------------------------------------------------------
# Per-exercise state during one run
# ----------------------------------------------------------------------------------------------------


class _TrackedStudent:
    """The ``StudentCode`` handed to the suites, counting calls so that an unchanged stub is recognised."""

    def __init__(self, inner: StudentCode) -> None:
        self._inner = inner
        self.calls = 0
        self.not_implemented = 0
        self.answered: dict[str, bool] = {}  # function -> whether any call of it gave a real answer
        self.called_in_test: set[str] = set()  # functions called by the test running now

    @property
    def import_error(self) -> Raised | None:
        """Why the module failed to import, or ``None``."""
        return self._inner.import_error

    def defines(self, name: str) -> bool:
        """Whether the student's module defines ``name``."""
        return bool(self._inner.defines(name))

    def call(self, name: str, *args: Any) -> CallResult:
        """Forward the call and count whether it still raised ``NotImplementedError``."""
        result: CallResult = self._inner.call(name, *args)
        self.calls += 1
        self.called_in_test.add(name)
        self.answered[name] = self.answered.get(name, False) or is_valid_result(result)
        if result.raised is not None and result.raised.type == "NotImplementedError":
            self.not_implemented += 1
        return result


@dataclass(slots=True)
class _Exercise:
    spec: ExerciseSpec
    student: _TrackedStudent
    reference: ModuleType | None = None
    blocked: Message | None = None  # feedback for every test when the module cannot run at all
    blocked_hints: tuple[str, ...] = ()
    status: ExerciseStatus = "graded"
    notes: list[Message] = field(default_factory=list)
    outcomes: list[CheckOutcome] = field(default_factory=list)
    called: list[_Called] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Called:
    """Which student functions one recorded outcome depended on (index into ``_Exercise.outcomes``)."""

    index: int
    functions: frozenset[str]


@dataclass(frozen=True, slots=True)
class _TestInfo:
    exercise: str
    points: float
    title: Message
    hidden: bool
    advice: bool


# ----------------------------------------------------------------------------------------------------
# The plugin
# ----------------------------------------------------------------------------------------------------


class _GradingPlugin:
    """Fixtures, markers and outcome recording for one ``run_suites`` call."""

    def __init__(self, course: Course, exercises: dict[str, _Exercise], seed: int) -> None:
        self.course = course
        self.exercises = exercises
        self._seed = seed
        self.info: dict[str, _TestInfo] = {}
        self.misconceptions = load_misconceptions(course)
        self.course_errors: list[str] = []

    # --- configuration and collection -------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: Any) -> pytest.Module:
        return _SuiteModule.from_parent(parent, path=module_path)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.course_errors.append(
                f"suite {report.nodeid} does not collect: {report.longreprtext[-2000:]}"
            )

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        totals: dict[str, float] = {}
        for item in items:
            info = self._read_markers(item)
            if info is None:
                continue
            self.info[item.nodeid] = info
            totals[info.exercise] = totals.get(info.exercise, 0.0) + info.points
        for exercise_id, exercise in self.exercises.items():
            total = totals.get(exercise_id, 0.0)
            if abs(total - exercise.spec.max_score) > 1e-9:
                self.course_errors.append(
                    f"suite {exercise.spec.suite} is worth {total:g} points, "
                    f"but the manifest says max_score = {exercise.spec.max_score:g}"
                )

    def _read_markers(self, item: pytest.Item) -> _TestInfo | None:
        module = getattr(item, "module", None)
        exercise_id = getattr(module, "EXERCISE", None)
        if exercise_id not in self.exercises:
            self.course_errors.append(
                f"{item.nodeid}: its module has no EXERCISE naming an exercise of this run"
            )
            return None
        advice = item.get_closest_marker("advice") is not None
        points_marker = item.get_closest_marker("points")
        if points_marker is None and not advice:
            self.course_errors.append(f"{item.nodeid}: no @pytest.mark.points(n) (or @pytest.mark.advice)")
            return None
        points = 0.0 if advice else float(points_marker.args[0])  # type: ignore[union-attr]
        title_marker = item.get_closest_marker("title")
        title = Message.text({"": item.name})
        if title_marker is not None:
            callspec = getattr(item, "callspec", None)
            suffix = f" [{callspec.id}]" if callspec is not None else ""
            titles = {lang: str(text) + suffix for lang, text in title_marker.kwargs.items() if text}
            title = Message.text(titles or {"": item.name})
        hidden = item.get_closest_marker("public") is None
        return _TestInfo(exercise_id, points, title, hidden, advice)

    # --- fixtures ---------------------------------------------------------------------------------
    def _exercise_of(self, request: pytest.FixtureRequest) -> _Exercise:
        exercise_id = getattr(request.module, "EXERCISE", None)
        if exercise_id not in self.exercises:
            raise CourseError(f"{request.node.nodeid}: unknown EXERCISE {exercise_id!r}")
        return self.exercises[exercise_id]

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> _TrackedStudent:
        """The student's code of this suite's exercise (a ``StudentCode``)."""
        return self._exercise_of(request).student

    @pytest.fixture
    def reference(self, request: pytest.FixtureRequest) -> ModuleType:
        """The reference solution module of this suite's exercise."""
        exercise = self._exercise_of(request)
        if exercise.reference is None:
            exercise.reference = load_reference(self.course, exercise.spec)
        return exercise.reference

    @pytest.fixture
    def check(
        self, request: pytest.FixtureRequest, student: _TrackedStudent, reference: ModuleType
    ) -> Checker:
        """The checker comparing this suite's student with the reference."""
        checker = Checker(student, reference, self.misconceptions)
        request.node.stash[_CHECKER] = checker
        return checker

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A random generator derived from the run's seed and the test's name: same seed, same inputs."""
        exercise = getattr(request.module, "EXERCISE", "")
        key = zlib.crc32(f"{exercise}::{request.node.name}".encode())
        return np.random.default_rng([self._seed & 0xFFFFFFFF, key])

    # --- running ----------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool:
        info = self.info.get(pyfuncitem.nodeid)
        if info is None:
            return True
        exercise = self.exercises[info.exercise]
        if exercise.blocked is not None:
            self._record(exercise, info, 0.0, "failed", exercise.blocked, exercise.blocked_hints)
            return True
        exercise.student.called_in_test = set()
        recorded = len(exercise.outcomes)
        try:
            self._run_and_record(pyfuncitem, info, exercise)
        except Exception as exc:  # rendering a failure broke: the grader's fault, never a lost test
            error = f"{type(exc).__name__}: {exc}"
            text = Message(DOMAIN, "runner.grader_error", {"error": error})
            self._record(exercise, info, 0.0, "error", text, ())
        functions = frozenset(exercise.student.called_in_test)
        exercise.called.extend(_Called(i, functions) for i in range(recorded, len(exercise.outcomes)))
        return True

    def _run_and_record(self, pyfuncitem: pytest.Function, info: _TestInfo, exercise: _Exercise) -> None:
        arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        try:
            pyfuncitem.obj(**arguments)
        except CheckFailure as failure:
            checker = pyfuncitem.stash.get(_CHECKER, None)
            advice = tuple(checker.advice) if checker is not None else ()
            text = failure_message(failure.failure, hidden=info.hidden)
            hints = failure.failure.hints
            if info.advice:
                self._record_advice(exercise, info, advice, text, hints)
            else:
                self._record(exercise, info, 0.0, "failed", self._with_advice(text, advice), hints + advice)
        except ExerciseAborted as aborted:
            exercise.status = _exercise_status(aborted.status)
            exercise.blocked = Message(DOMAIN, "runner.not_run_after_abort", {"status": aborted.status})
            text = Message(DOMAIN, "runner.aborted", {"status": aborted.status, "detail": aborted.detail})
            exercise.notes.append(text)
            self._record(exercise, info, 0.0, "failed", text, ())
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            self._record(
                exercise,
                info,
                0.0,
                "error",
                Message(DOMAIN, "runner.grader_error", {"error": error}),
                (),
            )
        else:
            checker = pyfuncitem.stash.get(_CHECKER, None)
            advice = tuple(checker.advice) if checker is not None else ()
            if info.advice:
                self._record_advice(exercise, info, advice, None, ())
            else:
                self._record(exercise, info, info.points, "passed", self._with_advice(None, advice), advice)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # A fixture that failed during setup is the suite's bug (student calls happen inside the test body).
        if report.when == "setup" and report.failed and report.nodeid in self.info:
            info = self.info[report.nodeid]
            error = (
                report.longreprtext.strip().splitlines()[-1]
                if report.longreprtext.strip()
                else "setup failed"
            )
            text = Message(DOMAIN, "runner.grader_error", {"error": error})
            self._record(self.exercises[info.exercise], info, 0.0, "error", text, ())

    def _with_advice(self, text: Message | None, advice: tuple[str, ...]) -> Message | None:
        lines = [text] if text is not None else []
        lines += [Message(DOMAIN, "label.advice", {"text": hint_message(key)}) for key in advice]
        if not advice:
            return text
        return Message.join(lines)

    def _record_advice(
        self,
        exercise: _Exercise,
        info: _TestInfo,
        advice: tuple[str, ...],
        detail: Message | None,
        hints: tuple[str, ...],
    ) -> None:
        # An advice-only test never fails and is worth nothing: what went wrong is shown as information.
        if detail is not None or advice:
            text = self._with_advice(detail, advice)
        else:
            text = Message(DOMAIN, "runner.advice_ok")
        self._record(exercise, info, 0.0, "passed", text, hints + advice)

    def _record(
        self,
        exercise: _Exercise,
        info: _TestInfo,
        score: float,
        status: CheckStatus,
        feedback: Message | None,
        hints: tuple[str, ...],
    ) -> None:
        unique_hints = tuple(dict.fromkeys(hints))
        exercise.outcomes.append(
            CheckOutcome(
                name=info.title,
                score=score,
                max_score=info.points,
                status=status,
                hidden=info.hidden,
                feedback=feedback,
                hints=unique_hints,
            )
        )


_CHECKER = pytest.StashKey[Checker]()


# ----------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------


def _exercise_status(status: str) -> ExerciseStatus:
    """The exercise status of an ``ExerciseAborted`` (``timeout``, ``memory``, anything else ``error``)."""
    return "timeout" if status == "timeout" else "memory" if status == "memory" else "error"


def _blocked_by_import(exercise: _Exercise) -> None:
    try:
        error = exercise.student.import_error
    except ExerciseAborted as aborted:
        exercise.status = _exercise_status(aborted.status)
        exercise.blocked = Message(
            DOMAIN, "runner.aborted", {"status": aborted.status, "detail": aborted.detail}
        )
        exercise.notes.append(exercise.blocked)
        return
    if error is None:
        return
    where = f"\n{error.traceback}" if error.traceback else ""
    text = Message(
        DOMAIN,
        "runner.import_error",
        {"file": exercise.spec.file, "error": f"{error.type}: {error.message}{where}"},
    )
    hints = hints_from_raised(error)
    hints = tuple(h for h in hints if h != "not_attempted")
    if hints:
        text = Message.join(
            [text, *(Message(DOMAIN, "label.hint", {"text": hint_message(h)}) for h in hints)]
        )
    exercise.status = "error"
    exercise.blocked = text
    exercise.blocked_hints = hints
    exercise.notes.append(text)


def run_suites(
    course: Course, students: Mapping[str, StudentCode], *, seed: int, lang: str | None = None
) -> dict[str, ExerciseResult]:
    """Grade the given exercises (id -> ``StudentCode``) with their hidden suites in one pytest session.

    The results carry messages, rendered later in any language; ``lang`` is accepted (and ignored) for
    callers written when feedback was rendered here.
    """
    del lang
    unknown = sorted(set(students) - {spec.id for spec in course.exercises})
    if unknown:
        raise CourseError(f"no exercise {', '.join(map(repr, unknown))} in the course manifest")
    exercises = {
        spec.id: _Exercise(spec=spec, student=_TrackedStudent(students[spec.id]))
        for spec in course.exercises
        if spec.id in students
    }
    if not exercises:
        return {}
    for exercise in exercises.values():
        exercise.reference = load_reference(course, exercise.spec)  # a broken reference fails the whole run
        _blocked_by_import(exercise)
    plugin = _GradingPlugin(course, exercises, seed)
    paths = [str(course.root / exercise.spec.suite) for exercise in exercises.values()]
    args = [*PYTEST_ARGS, "-c", os.devnull, "--rootdir", str(course.root), *paths]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        exit_code = pytest.main(args, plugins=[plugin])
    if plugin.course_errors:  # collection errors end the session as "interrupted" too: report them first
        raise CourseError("; ".join(plugin.course_errors))
    if exit_code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise CourseError(
            f"pytest could not run the suites (exit {int(exit_code)}): {captured.getvalue()[-2000:]}"
        )
    return {exercise_id: _result(exercise, seed) for exercise_id, exercise in exercises.items()}


def _without_unearned(exercise: _Exercise) -> list[Message]:
    """Zero every passed test that called a function none of whose calls gave a real answer; the notes."""
    empty = {name for name, answered in exercise.student.answered.items() if not answered}
    zeroed: set[str] = set()
    for called in exercise.called:
        outcome = exercise.outcomes[called.index]
        if outcome.score > 0 and called.functions & empty:
            zeroed |= called.functions & empty
            names = ", ".join(sorted(called.functions & empty))
            text = Message(DOMAIN, "runner.no_valid_answer", {"functions": names})
            parts = [text] if outcome.feedback is None else [text, outcome.feedback]
            exercise.outcomes[called.index] = dataclasses.replace(
                outcome, score=0.0, status="failed", feedback=Message.join(parts)
            )
    if not zeroed:
        return []
    return [Message(DOMAIN, "runner.no_valid_answer", {"functions": ", ".join(sorted(zeroed))})]


def _result(exercise: _Exercise, seed: int) -> ExerciseResult:
    tracked = exercise.student
    attempted = not (tracked.calls > 0 and tracked.not_implemented == tracked.calls)
    notes = list(exercise.notes)
    if attempted:
        notes += _without_unearned(exercise)
    if not attempted:
        notes.append(Message(DOMAIN, "runner.not_attempted", {"file": exercise.spec.file}))
    score = sum(outcome.score for outcome in exercise.outcomes) if attempted else 0.0
    return ExerciseResult(
        id=exercise.spec.id,
        score=round(score, 6),
        max_score=exercise.spec.max_score,
        status=exercise.status,
        tests=tuple(exercise.outcomes),
        notes=tuple(notes),
        attempted=attempted,
        seed=seed,
    )
