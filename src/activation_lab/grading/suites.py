"""Run the hidden pytest suites of a course against one submission's student code.

``run_suites`` grades the suites of the exercises present with a plugin object that gives the suites their
fixtures (``student``, ``reference``, ``check``, ``rng``), reads the markers of each test (``points``,
``title``, ``public``, ``advice``), calls every test itself to tell a failed check (the student's mistake)
from a broken suite (the grader's), and records a ``CheckOutcome`` per test. Feedback is recorded as
messages; no text is rendered here. The suites are collected by pytest once per process (``collect.py``)
and their tests called directly per submission; a suite that needs more of pytest than these fixtures runs
in an in-process ``pytest.main`` session instead.

Why one long module: the plugin's hooks and fixtures share the per-run state of every exercise (what is
blocked, which tests ran, what the student returned); they are one object by pytest's design.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import stat
import zlib
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from activation_lab.course import Course
from activation_lab.errors import CourseError, ExerciseAborted
from activation_lab.grading import timing
from activation_lab.grading.checks import (
    Checker,
    CheckFailure,
    failure_message,
    hint_message,
    is_valid_result,
)
from activation_lab.grading.collect import (
    Collection,
    SuitePlugin,
    SuiteTest,
    cached_module,
    collect_files,
    collect_suite,
    collect_suites,
    pytest_args,
    suite_test,
)
from activation_lab.grading.misconceptions import (
    NO_MISCONCEPTIONS,
    CourseMisconceptions,
    course_misconceptions,
    hints_from_raised,
    unfinished_elsewhere,
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
from activation_lab.sandbox import wire

DOMAIN = "feedback"


def load_reference(course: Course, spec: ExerciseSpec) -> ModuleType:
    """The reference solution of one exercise, imported by file path and cached until the file changes."""
    path = course.solutions_dir / spec.file
    found = _regular_file(path)
    if found is None:
        raise CourseError(f"reference solution {path} does not exist")
    module = _trusted_module(str(path), found.st_dev, found.st_ino, found.st_mtime_ns, "reference")
    missing = [f for f in spec.functions if not callable(getattr(module, f, None))]
    if missing:
        raise CourseError(f"reference solution {path} lacks {', '.join(missing)}")
    return module


def load_misconceptions(course: Course) -> CourseMisconceptions:
    """The course's declared misconceptions (``misconceptions = ...`` in the manifest), cached by file."""
    if course.misconceptions is None:
        return NO_MISCONCEPTIONS
    path = course.root / course.misconceptions
    found = os.stat(path)
    return _course_misconceptions(str(path), found.st_dev, found.st_ino, found.st_mtime_ns)


@cache
def _course_misconceptions(path: str, device: int, inode: int, mtime_ns: int) -> CourseMisconceptions:
    return course_misconceptions(_trusted_module(path, device, inode, mtime_ns, "misconceptions"))


def _regular_file(path: Path) -> os.stat_result | None:
    """``os.stat(path)`` of a regular file (links followed), else ``None``: is_file() and stat() in one."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found if stat.S_ISREG(found.st_mode) else None


@cache
def _trusted_module(path: str, device: int, inode: int, mtime_ns: int, prefix: str) -> ModuleType:
    """``cached_module`` of the file at ``path``: its real path resolved once per file (device, inode) and
    modification time, not once per submission."""
    return cached_module(str(Path(path).resolve()), mtime_ns, prefix)


# ----------------------------------------------------------------------------------------------------
# Per-exercise state during one run
# ----------------------------------------------------------------------------------------------------


class _TrackedStudent:
    """The ``StudentCode`` handed to the suites, counting calls so that an unchanged stub is recognised."""

    def __init__(self, inner: StudentCode) -> None:
        self._inner = inner
        self.call_count = 0
        self.not_implemented = 0
        self.answered: dict[str, bool] = {}  # function -> whether any call of it gave a real answer
        self.called_in_test: set[str] = set()  # functions called by the test running now

    @property
    def import_error(self) -> Raised | None:
        """Why the module failed to import, or ``None``."""
        return self._inner.import_error

    def defines(self, name: str) -> bool:
        """Whether the student's module defines ``name``."""
        with timing.phase("student_calls"):
            return bool(self._inner.defines(name))

    def call(self, name: str, *args: Any) -> CallResult:
        """Forward the call and count whether it still raised ``NotImplementedError``."""
        timing.count("round_trips")
        with timing.phase("student_calls"):
            result: CallResult = self._inner.call(name, *args)
        self._record(name, result)
        return result

    def calls(self, name: str, arg_lists: Sequence[tuple[Any, ...]]) -> Iterator[CallResult]:
        """Forward a batch; only the results the suite reads are counted, as if called one by one."""
        timing.count("round_trips", -(-len(arg_lists) // wire.MAX_BATCH_CALLS))
        results = self._inner.calls(name, arg_lists)
        profiled = timing.enabled()  # read once per process: no do-nothing phase around every call
        try:
            while True:
                if profiled:
                    with timing.phase("student_calls"):
                        result = next(results, None)
                else:
                    result = next(results, None)
                if result is None:
                    return
                self._record(name, result)
                yield result
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()

    def _record(self, name: str, result: CallResult) -> None:
        self.call_count += 1
        self.called_in_test.add(name)
        if not self.answered.get(name, False):  # once answered, always answered: no need to look again
            self.answered[name] = is_valid_result(result)
        # a stub of another file (``from sigmoid import sigmoid``) does not make this file unattempted
        if result.raised is not None and result.raised.type == "NotImplementedError":
            if not unfinished_elsewhere(result.raised):
                self.not_implemented += 1


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
    imported: bool = False  # whether the student's module was imported (``_blocked_by_import`` ran)


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


# What each collected test is worth (its markers read), per process
_TEST_INFO: dict[int, tuple[SuiteTest, _TestInfo]] = {}


# ----------------------------------------------------------------------------------------------------
# The plugin
# ----------------------------------------------------------------------------------------------------


class _GradingPlugin(SuitePlugin):
    """Fixtures, markers and outcome recording for one ``run_suites`` call.

    The tests run either through a pytest session (``pytest.main`` with this object as plugin) or, when the
    suites need nothing beyond these fixtures, directly from their collection (``run_collected``); both
    record through the same code, so a submission gets the same outcomes either way.
    """

    def __init__(self, course: Course, exercises: dict[str, _Exercise], seed: int) -> None:
        self.course = course
        self.exercises = exercises
        self._seed = seed
        self.info: dict[str, _TestInfo] = {}
        self.misconceptions = load_misconceptions(course)
        self.course_errors: list[str] = []

    # --- collection (markers, suite modules and collection errors: SuitePlugin) ----------------------
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.read_markers([suite_test(item, self) for item in items])

    def read_markers(self, tests: list[SuiteTest], *, collected_once: bool = False) -> None:
        """Check the markers of the collected tests against the manifest and keep each test's scoring.

        ``collected_once``: the tests are the records kept by ``collect.py`` for the process, so what each
        is worth is remembered with them (a pytest session's items are new each time: never remembered).
        """
        totals: dict[str, float] = {}
        for test in tests:
            info = self._read_markers(test, collected_once)
            if info is None:
                continue
            self.info[test.nodeid] = info
            totals[info.exercise] = totals.get(info.exercise, 0.0) + info.points
        for exercise_id, exercise in self.exercises.items():
            total = totals.get(exercise_id, 0.0)
            if abs(total - exercise.spec.max_score) > 1e-9:
                self.course_errors.append(
                    f"suite {exercise.spec.suite} is worth {total:g} points, "
                    f"but the manifest says max_score = {exercise.spec.max_score:g}"
                )

    def _read_markers(self, test: SuiteTest, collected_once: bool) -> _TestInfo | None:
        if not collected_once:
            return self._test_info(test)
        kept = _TEST_INFO.get(id(test))
        if kept is not None and kept[0] is test and test.exercise in self.exercises:
            return kept[1]
        info = self._test_info(test)
        if info is not None and len(_TEST_INFO) < 10_000:
            _TEST_INFO[id(test)] = (test, info)  # the entry holds the test: its id is never reused
        return info

    def _test_info(self, test: SuiteTest) -> _TestInfo | None:
        exercise_id = test.exercise
        if exercise_id not in self.exercises:
            self.course_errors.append(
                f"{test.nodeid}: its module has no EXERCISE naming an exercise of this run"
            )
            return None
        if test.points is None and not test.advice:
            self.course_errors.append(f"{test.nodeid}: no @pytest.mark.points(n) (or @pytest.mark.advice)")
            return None
        points = 0.0 if test.advice else float(test.points)  # type: ignore[arg-type]
        title = Message.text({"": test.name})
        if test.title is not None:
            suffix = f" [{test.param_id}]" if test.param_id is not None else ""
            titles = {lang: str(text) + suffix for lang, text in test.title.items() if text}
            title = Message.text(titles or {"": test.name})
        return _TestInfo(exercise_id, points, title, not test.public, test.advice)

    # --- fixtures ---------------------------------------------------------------------------------
    def _exercise_of(self, request: pytest.FixtureRequest) -> _Exercise:
        exercise_id = getattr(request.module, "EXERCISE", None)
        if exercise_id not in self.exercises:
            raise CourseError(f"{request.node.nodeid}: unknown EXERCISE {exercise_id!r}")
        return self.exercises[exercise_id]

    def _reference_of(self, exercise: _Exercise) -> ModuleType:
        if exercise.reference is None:
            exercise.reference = load_reference(self.course, exercise.spec)
        return exercise.reference

    def _rng_for(self, exercise_id: str, test_name: str) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(_seed_sequence(self._seed, exercise_id, test_name)))

    def _new_checker(
        self, student: _TrackedStudent, reference: ModuleType, info: _TestInfo | None
    ) -> Checker:
        return Checker(
            student, reference, self.misconceptions, shows_values=info is not None and not info.hidden
        )

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> _TrackedStudent:
        """The student's code of this suite's exercise (a ``StudentCode``)."""
        return self._exercise_of(request).student

    @pytest.fixture
    def reference(self, request: pytest.FixtureRequest) -> ModuleType:
        """The reference solution module of this suite's exercise."""
        return self._reference_of(self._exercise_of(request))

    @pytest.fixture
    def check(
        self, request: pytest.FixtureRequest, student: _TrackedStudent, reference: ModuleType
    ) -> Checker:
        """The checker comparing this suite's student with the reference."""
        checker = self._new_checker(student, reference, self.info.get(request.node.nodeid))
        request.node.stash[_CHECKER] = checker
        return checker

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A random generator derived from the run's seed and the test's name: same seed, same inputs."""
        return self._rng_for(getattr(request.module, "EXERCISE", ""), request.node.name)

    # --- running ----------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool:
        info = self.info.get(pyfuncitem.nodeid)
        if info is None:
            return True
        arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        self._run_test(
            lambda: pyfuncitem.obj(**arguments),
            lambda: pyfuncitem.stash.get(_CHECKER, None),
            info,
        )
        return True

    def run_collected(self, tests: list[SuiteTest]) -> None:
        """Run collected tests without a pytest session: the fixtures made here, as pytest would make them."""
        for test in tests:
            info = self.info.get(test.nodeid)
            if info is None:
                continue
            exercise = self.exercises[info.exercise]
            makers = self.fixture_makers(test, exercise)
            arguments = {
                name: makers[name]() if name in makers else test.params[name] for name in test.argnames
            }
            checker = arguments.get("check")
            self._run_test(
                functools.partial(_call_test, test, arguments), functools.partial(_same, checker), info
            )

    def fixture_makers(self, test: SuiteTest, exercise: _Exercise) -> dict[str, Callable[[], Any]]:
        """How ``run_collected`` makes each fixture of this plugin for one test (the same values)."""
        return {
            "student": lambda: exercise.student,
            "reference": lambda: self._reference_of(exercise),
            "check": lambda: self._new_checker(
                exercise.student, self._reference_of(exercise), self.info.get(test.nodeid)
            ),
            "rng": lambda: self._rng_for(test.exercise, test.name),
        }

    def _run_test(
        self, call: Callable[[], Any], checker_of: Callable[[], Checker | None], info: _TestInfo
    ) -> None:
        exercise = self.exercises[info.exercise]
        timing.count("tests")
        _import_before_tests(exercise)
        if exercise.blocked is not None:
            self._record(exercise, info, 0.0, "failed", exercise.blocked, exercise.blocked_hints)
            return
        exercise.student.called_in_test = set()
        recorded = len(exercise.outcomes)
        try:
            self._run_and_record(call, checker_of, info, exercise)
        except Exception as exc:  # rendering a failure broke: the grader's fault, never a lost test
            error = f"{type(exc).__name__}: {exc}"
            text = Message(DOMAIN, "runner.grader_error", {"error": error})
            self._record(exercise, info, 0.0, "error", text, ())
        functions = frozenset(exercise.student.called_in_test)
        exercise.called.extend(_Called(i, functions) for i in range(recorded, len(exercise.outcomes)))

    def _run_and_record(
        self,
        call: Callable[[], Any],
        checker_of: Callable[[], Checker | None],
        info: _TestInfo,
        exercise: _Exercise,
    ) -> None:
        try:
            with timing.phase("checks"):
                call()
        except CheckFailure as failure:
            with timing.phase("feedback"):
                checker = checker_of()
                advice = tuple(checker.advice) if checker is not None else ()
                text = failure_message(failure.failure, hidden=info.hidden)
                hints = failure.failure.hints
                if info.advice:
                    self._record_advice(exercise, info, advice, text, hints)
                else:
                    with_advice = self._with_advice(text, advice)
                    self._record(exercise, info, 0.0, "failed", with_advice, hints + advice)
        except ExerciseAborted as aborted:
            exercise.status = _exercise_status(aborted.status)
            exercise.blocked = Message(DOMAIN, "runner.not_run_after_abort", {"status": aborted.status})
            text = aborted_text(aborted)
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
            checker = checker_of()
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

# The seed sequence of each test, per process: ``np.random.default_rng([seed, key])`` builds the same one
# each time (most of its cost); a generator made from a kept one draws the same numbers.
_SEED_SEQUENCES: dict[tuple[int, str, str], np.random.SeedSequence] = {}


def _seed_sequence(seed: int, exercise_id: str, test_name: str) -> np.random.SeedSequence:
    """The seed sequence of ``default_rng([seed, crc32("exercise::test")])``, as if new."""
    key = (seed, exercise_id, test_name)
    sequence = _SEED_SEQUENCES.get(key)
    # a test that spawned child generators advanced the kept sequence: never hand that one on
    if sequence is None or sequence.n_children_spawned:
        crc = zlib.crc32(f"{exercise_id}::{test_name}".encode())
        sequence = np.random.SeedSequence([seed & 0xFFFFFFFF, crc])
        if len(_SEED_SEQUENCES) < 100_000:
            _SEED_SEQUENCES[key] = sequence
    return sequence


# ----------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------


def aborted_text(aborted: ExerciseAborted) -> Message:
    """Why the student's process was stopped: the sandbox's teaching text and the call that was running."""
    if getattr(aborted, "message_key", None):
        from activation_lab.sandbox.texts import abort_text  # the sandbox's own catalogue

        text = abort_text(aborted)
    else:
        text = Message(DOMAIN, "runner.aborted", {"status": aborted.status, "detail": aborted.detail})
    call = getattr(aborted, "call", "")
    if call:
        return Message.join([text, Message(DOMAIN, "label.running_call", {"call": call})])
    return text


def _exercise_status(status: str) -> ExerciseStatus:
    """The exercise status of an ``ExerciseAborted`` (``timeout``, ``memory``, anything else ``error``)."""
    return "timeout" if status == "timeout" else "memory" if status == "memory" else "error"


def _import_before_tests(exercise: _Exercise) -> None:
    """Import the student's module when the exercise's first test is about to run (or at the end).

    The exercises are imported one after another, each just before its tests, so a sandbox worker can go
    on from one exercise to the next (``SandboxedStudent._take_over``) and each import meets only what
    the exercises before it left, which the worker checks.
    """
    if exercise.imported:
        return
    exercise.imported = True
    with timing.phase("sandbox.worker_start"):  # the first touch starts the exercise's worker
        _blocked_by_import(exercise)


def _blocked_by_import(exercise: _Exercise) -> None:
    try:
        error = exercise.student.import_error
    except ExerciseAborted as aborted:
        exercise.status = _exercise_status(aborted.status)
        exercise.blocked = aborted_text(aborted)
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


def _direct_collections(paths: list[Path], course_root: Path) -> list[Collection] | None:
    """The suites' collections when every test can run without a pytest session, else ``None``."""
    with timing.phase("collect"):
        collections = collect_files(paths, course_root)
    if collections is None:
        return None  # a path that is not a file: pytest's own session says what is wrong with it
    if all(test.direct for collection in collections for test in collection.tests):
        return collections
    return None


def warm_up(course: Course, files: Container[str] | None = None) -> None:
    """Collect the suites and import the references now, e.g. before forking workers that inherit them.

    ``files``: only the exercises whose file is among them (a worker about to grade one submission does not
    import the plots reference, and matplotlib with it, for a submission without ``plots.py``); the others
    are collected when a submission needs them. A broken suite or reference is left for grading to report.
    """
    chosen = [spec for spec in course.exercises if files is None or spec.file in files]
    for spec in chosen:
        with contextlib.suppress(Exception):
            load_reference(course, spec)
    suites = list(dict.fromkeys(course.root / spec.suite for spec in chosen))
    try:
        collect_suites(suites, course.root)  # one pytest session for all of them
    except Exception:
        for path in suites:  # each on its own: what a broken one says is left for grading to report
            with contextlib.suppress(Exception):
                collect_suite(path, course.root)
    with contextlib.suppress(Exception):
        load_misconceptions(course)


def run_suites(
    course: Course, students: Mapping[str, StudentCode], *, seed: int, lang: str | None = None
) -> dict[str, ExerciseResult]:
    """Grade the given exercises (id -> ``StudentCode``) with their hidden suites.

    The suites are collected once per process; their tests are then called directly, or in a pytest
    session when a suite needs more than the runner's fixtures (see ``collect.py``). The results carry
    messages, rendered later in any language; ``lang`` is accepted (and ignored) for callers written when
    feedback was rendered here.
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
    plugin = _GradingPlugin(course, exercises, seed)
    paths = list(dict.fromkeys(course.root / exercise.spec.suite for exercise in exercises.values()))
    collections = _direct_collections(paths, course.root)
    captured = io.StringIO()
    if collections is not None:
        tests = [test for collection in collections for test in collection.tests]
        plugin.course_errors.extend(error for collection in collections for error in collection.errors)
        plugin.read_markers(tests, collected_once=True)
        if plugin.course_errors:
            raise CourseError("; ".join(plugin.course_errors))
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            plugin.run_collected(tests)
        return _results(exercises, seed)
    args = pytest_args(course.root, [str(path) for path in paths])
    with (
        timing.phase("pytest_session"),
        contextlib.redirect_stdout(captured),
        contextlib.redirect_stderr(captured),
    ):
        exit_code = pytest.main(args, plugins=[plugin])
    if plugin.course_errors:  # collection errors end the session as "interrupted" too: report them first
        raise CourseError("; ".join(plugin.course_errors))
    if exit_code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise CourseError(
            f"pytest could not run the suites (exit {int(exit_code)}): {captured.getvalue()[-2000:]}"
        )
    return _results(exercises, seed)


def _results(exercises: dict[str, _Exercise], seed: int) -> dict[str, ExerciseResult]:
    """Every exercise's result; a module no test touched is still imported, for its import error."""
    for exercise in exercises.values():
        _import_before_tests(exercise)
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
    attempted = not (tracked.call_count > 0 and tracked.not_implemented == tracked.call_count)
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


def _call_test(test: SuiteTest, arguments: dict[str, Any]) -> object:
    """Call a directly collected test with its fixtures and parameters."""
    assert test.function is not None
    return test.function(**arguments)


def _same(checker: Checker | None) -> Checker | None:
    return checker
