"""Grade one submission: its files run only in the sandbox; the hidden suites score them here."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from activation_lab import __version__
from activation_lab.course import Course, load_course
from activation_lab.errors import ActivationLabError, CourseError, QuizError, SubmissionError
from activation_lab.grading import timing
from activation_lab.i18n import Message
from activation_lab.quiz.grade import grade_submission_answers
from activation_lab.quiz.load import load_quiz_texts, quiz_paths
from activation_lab.quiz.load import load_quizzes as load_quiz_folder
from activation_lab.quiz.model import Quiz
from activation_lab.records import ExerciseResult, PartResult, QuizResult, SubmissionReport
from activation_lab.sandbox.session import Limits, SubmissionSandbox, detect_isolation, is_strong
from activation_lab.submissions.load import Submission, load_submission

if TYPE_CHECKING:
    from activation_lab.grading.student import StudentCode

ErrorKind = Literal["submission", "grader"]


class Sandbox(Protocol):
    """One submission's running sandbox (``sandbox.session.SubmissionSandbox``): a student module per call
    of ``open``; closing it kills every process it started."""

    def __enter__(self) -> Sandbox:
        """Start it (or reuse a started one)."""

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        """Close it."""

    def open(self, module_name: str) -> StudentCode:
        """The student's module ``module_name`` (``sigmoid``), imported in a fresh worker."""

    def close(self) -> None:
        """Kill every process of the sandbox and remove its files."""


DEFAULT_SEED = 0


class SandboxFactory(Protocol):
    """Builds the sandbox of one submission (``sandbox.session.SubmissionSandbox`` in real runs)."""

    def __call__(self, files: Mapping[str, str], limits: Limits | None, isolation: str | None) -> Sandbox:
        """A sandbox (not yet entered) whose ``open(module_name)`` returns a :class:`StudentCode`."""


@dataclass(frozen=True, slots=True)
class GradingContext:
    """Everything a grading run shares: the course, seed, sandbox settings and the quizzes.

    There is no language here: reports carry messages, rendered in any language by ``report_to_json``.
    """

    course: Course
    seed: int = DEFAULT_SEED
    limits: Limits | None = None  # None means the sandbox's documented defaults
    isolation: str = "none"  # "bwrap" | "unshare" | "none", as detect_isolation() found it
    quizzes: tuple[Quiz, ...] = ()  # from the course's quizzes/ folder
    quiz_version: str = ""  # a hash of the quiz files, part of --resume's cache key
    suite_hash: str = ""  # a hash of the manifest, suites and solutions: --resume never trusts a stale grade
    sandbox_factory: SandboxFactory | None = field(default=None, compare=False)

    @property
    def cache_key(self) -> dict[str, Any]:
        """What, besides the submission's content, decides its report (checked by ``--resume``)."""
        return {
            "suite_version": self.course.suite_version,
            "seed": self.seed,
            "engine_version": __version__,
            "quiz_version": self.quiz_version,
            "suite_hash": self.suite_hash,
        }


def _quiz_paths(course: Course) -> list[Path]:
    if not course.quizzes_dir.is_dir():
        return []
    return quiz_paths(course.quizzes_dir)


def _as_read(data: bytes) -> str | None:
    """What ``Path.read_text`` gives for these bytes (UTF-8, universal newlines); ``None`` if not UTF-8."""
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None


def load_course_quizzes(course: Course, *, cache: bool = False) -> tuple[tuple[Any, ...], str]:
    """The course's quizzes and a hash of their files; a broken quiz is a ``CourseError``.

    ``cache``: quizzes that passed validation are kept by content (``quiz/cache.py``), and a later run with
    the same files and engine takes them from there instead of parsing and validating the YAML again. The
    cached quizzes are the ones validated from the very bytes hashed (a file edited meanwhile is a new key).
    """
    paths = _quiz_paths(course)
    files = [(path, path.read_bytes()) for path in paths]
    digest = hashlib.sha256()
    for path, data in files:
        digest.update(path.name.encode() + b"\0" + data + b"\0")
    if not paths:
        return (), ""
    version = digest.hexdigest()[:16]
    texts = [(str(path), _as_read(data)) for path, data in files] if cache else []
    key = ""
    if cache and all(text is not None for _, text in texts):
        from activation_lab.quiz import cache as quiz_cache

        key = quiz_cache.cache_key([(name, text.encode()) for name, text in texts if text is not None])
        cached = quiz_cache.read(key)
        if cached is not None:
            return cached, version
    try:
        if key:  # validate exactly the text the key was made from
            quizzes = load_quiz_texts([(name, text) for name, text in texts if text is not None])
        else:
            quizzes = load_quiz_folder(course.quizzes_dir)
    except QuizError as exc:
        raise CourseError(f"quizzes in {course.quizzes_dir}: {exc}") from exc
    if key:
        from activation_lab.quiz import cache as quiz_cache

        quiz_cache.write(key, quizzes)
    return tuple(quizzes), version


def course_hash(course: Course) -> str:
    """A hash of what decides a grade besides the submission: manifest, hidden suites, solutions."""
    digest = hashlib.sha256()
    paths = [course.autograder_dir / "manifest.toml"]
    paths += [course.root / spec.suite for spec in course.exercises]
    paths += [course.root / course.misconceptions] if course.misconceptions else []
    paths += sorted(course.solutions_dir.glob("*.py"))
    for path in paths:
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def make_context(
    course_root: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    isolation: str | None = None,
    limits: Any = None,
    quizzes: bool = True,
    quiz_cache: bool = False,
) -> GradingContext:
    """Load the course and its quizzes and detect the sandbox: the context of a grading run.

    ``quizzes=False``: a context that grades no quiz and reports no quiz part, for a command that runs code
    only (``check DIR --plot``); nothing that writes a report or a grade uses it. ``quiz_cache``: take
    validated quizzes from the cache (``quiz/cache.py``) and keep them there, under the strong sandbox only
    (in the weaker modes student code may be able to write the grader's files, a cache entry included).
    """
    course = load_course(course_root)
    isolation = isolation or detect_isolation()
    cache = quiz_cache and is_strong(isolation)
    loaded, quiz_version = load_course_quizzes(course, cache=cache) if quizzes else ((), "")
    return GradingContext(
        course=course,
        seed=seed,
        limits=limits,
        isolation=isolation,
        quizzes=loaded,
        quiz_version=quiz_version,
        suite_hash=course_hash(course),
    )


def quiz_maximum(ctx: GradingContext) -> float:
    """The quiz part's maximum: the points of every quiz of the course."""
    return float(sum(quiz.max_score for quiz in ctx.quizzes))


def course_maximum(ctx: GradingContext) -> float:
    """The fixed maximum of every submission: the maxima of the parts the course counts."""
    return sum(part.max_score for part in grade_parts((), None, ctx) if part.counted)


def grade_parts(
    exercises: tuple[ExerciseResult, ...], quiz: QuizResult | None, ctx: GradingContext
) -> tuple[PartResult, ...]:
    """Each part's score against its fixed maximum: counted parts first (manifest order), then the others.

    A part with no exercise attempted (or, for ``quiz``, no answers.yaml) is ``missing`` with score 0.
    """
    course = ctx.course
    by_id = {exercise.id: exercise for exercise in exercises}
    names = [*course.parts, *dict.fromkeys(s.part for s in course.exercises if s.part not in course.parts)]
    if ctx.quizzes and "quiz" not in names:
        names.append("quiz")
    parts = []
    for name in names:
        counted = name in course.parts
        if name == "quiz":
            graded = quiz is not None
            score = quiz.score if quiz is not None else 0.0
            parts.append(
                PartResult("quiz", score, quiz_maximum(ctx), "graded" if graded else "missing", counted)
            )
            continue
        specs = course.part_exercises(name)
        results = [by_id[spec.id] for spec in specs if spec.id in by_id]
        present = any(result.status != "missing" for result in results)
        score = sum(result.score for result in results)
        maximum = sum(spec.max_score for spec in specs)
        parts.append(PartResult(name, score, maximum, "graded" if present else "missing", counted))
    return tuple(parts)


def _extra(ctx: GradingContext, error_kind: str | None = None) -> dict[str, Any]:
    return {**ctx.cache_key, "isolation": ctx.isolation, "error_kind": error_kind}


def missing_exercise(spec_id: str, ctx: GradingContext) -> ExerciseResult:
    """The result of an exercise whose file is not in the submission: status ``missing``, score 0."""
    spec = ctx.course.exercise(spec_id)
    note = Message("grading", "exercise.missing", {"file": spec.file})
    return ExerciseResult(
        id=spec.id, score=0.0, max_score=spec.max_score, status="missing", notes=(note,), attempted=False
    )


def error_report(
    name: str,
    ctx: GradingContext,
    detail: str | Message,
    *,
    kind: ErrorKind,
    content_hash: str = "",
    notes: tuple[Message, ...] = (),
) -> SubmissionReport:
    """A report for a submission that could not be graded: ``kind`` is ``submission`` or ``grader``."""
    key = "submission.unreadable" if kind == "submission" else "submission.grader_fault"
    return SubmissionReport(
        submission=name,
        status="error",
        score=0.0,
        max_score=course_maximum(ctx),
        exercises=(),
        quiz=None,
        notes=notes,
        error=Message("grading", key, {"detail": detail}),
        content_hash=content_hash,
        extra=_extra(ctx, kind),
        parts=grade_parts((), None, ctx),
    )


def _open_sandbox(files: Mapping[str, str], ctx: GradingContext) -> Sandbox:
    if ctx.sandbox_factory is not None:
        return ctx.sandbox_factory(files, ctx.limits, ctx.isolation)
    return SubmissionSandbox(
        files, ctx.limits if ctx.limits is not None else Limits(), isolation=ctx.isolation
    )


def start_sandbox(submission: Submission, ctx: GradingContext) -> Sandbox | None:
    """Launch a submission's sandbox now, so its NumPy import overlaps other work; ``None`` if nothing to run.

    The caller passes it to :func:`grade_submission` and closes it afterwards.
    """
    if submission.status != "graded" or not any(
        spec.file in submission.files for spec in ctx.course.exercises
    ):
        return None
    return _open_sandbox(submission.files, ctx).__enter__()


def prestart_workers(sandbox: Sandbox, submission: Submission, ctx: GradingContext) -> None:
    """Have the sandbox start the exercises' workers now, if it can without waiting (a reused one).

    For a batch: called when the previous submission's workers are gone, so the workers of this one import
    while the previous report is sent, and no more workers exist at a time than before.
    """
    prestart = getattr(sandbox, "prestart", None)
    if callable(prestart) and submission.status == "graded":
        prestart([Path(spec.file).stem for spec in ctx.course.exercises if spec.file in submission.files])


def grade_exercises(
    files: Mapping[str, str], ctx: GradingContext, sandbox: Sandbox | None = None
) -> tuple[ExerciseResult, ...]:
    """Grade every exercise: present files in one sandbox (a worker each), absent ones ``missing``."""
    present = [spec for spec in ctx.course.exercises if spec.file in files]
    results: dict[str, ExerciseResult] = {}
    if present:
        with contextlib.ExitStack() as stack:
            if sandbox is None:
                with timing.phase("sandbox.start"):
                    sandbox = stack.enter_context(_open_sandbox(files, ctx))
            # profiling only: wait for the sandbox here, to time it apart from the exercise workers
            if timing.enabled():
                with timing.phase("sandbox.ready"):
                    ready = getattr(sandbox, "_ensure_started", None)
                    if callable(ready):
                        ready()
            students: dict[str, StudentCode] = {
                spec.id: sandbox.open(Path(spec.file).stem) for spec in present
            }
            # imported here: a grading worker imports pytest and the suites' machinery while its first
            # sandbox starts, not before (batch.py's warm_up, or this line)
            from activation_lab.grading.suites import run_suites

            results = dict(run_suites(ctx.course, students, seed=ctx.seed))
    graded = []
    for spec in ctx.course.exercises:
        if spec in present:
            if spec.id not in results:
                raise CourseError(f"the suites returned no result for exercise {spec.id!r}")
            graded.append(results[spec.id])
        else:
            graded.append(missing_exercise(spec.id, ctx))
    return tuple(graded)


def grade_quiz(answers: str, ctx: GradingContext) -> tuple[QuizResult, tuple[Message, ...]]:
    """Grade an answers.yaml text against every quiz of the course, as one combined result (and notes)."""
    if not ctx.quizzes:
        return QuizResult(score=0.0, max_score=0.0), (Message("grading", "quiz.not_available"),)
    # An unreadable answers.yaml does not raise: every item scores 0 and a pseudo-item carries the YAML error.
    return grade_submission_answers(list(ctx.quizzes), answers), ()


def grade_submission(
    submission: Submission,
    ctx: GradingContext,
    *,
    sandbox: Sandbox | None = None,
) -> SubmissionReport:
    """Grade one loaded submission. Never raises for anything the submission contains.

    A submission that could not be read gives status ``error`` (``error_kind: submission``); a failure of the
    grader itself (broken suites, a sandbox that does not start) gives status ``error`` with
    ``error_kind: grader`` so the CLI can tell the two apart. ``sandbox`` is one from :func:`start_sandbox`
    (the caller closes it); without it the sandbox is opened and closed here.
    """
    notes = submission.notes
    if submission.status != "graded":
        # The loader turns its own crashes into an "error.internal" note: that is the grader's fault.
        internal = submission.error is not None and submission.error.key == "error.internal"
        return error_report(
            submission.name,
            ctx,
            submission.error or "?",
            kind="grader" if internal else "submission",
            content_hash=submission.content_hash,
            notes=notes,
        )
    try:
        exercises = grade_exercises(submission.files, ctx, sandbox)
        quiz: QuizResult | None = None
        if submission.answers is not None:
            with timing.phase("quiz"):
                quiz, quiz_notes = grade_quiz(submission.answers, ctx)
            notes += quiz_notes
    except Exception as exc:
        return grader_fault(submission, ctx, exc)
    parts = grade_parts(exercises, quiz, ctx)
    score = sum(part.score for part in parts if part.counted)
    max_score = sum(part.max_score for part in parts if part.counted)
    return SubmissionReport(
        submission=submission.name,
        status="graded",
        score=score,
        max_score=max_score,
        exercises=exercises,
        quiz=quiz,
        notes=notes,
        content_hash=submission.content_hash,
        extra=_extra(ctx),
        parts=parts,
    )


def grader_fault(submission: Submission, ctx: GradingContext, exc: Exception) -> SubmissionReport:
    """The report of a submission the grader failed on (its sandbox did not start, a suite broke, ...)."""
    detail = str(exc) if isinstance(exc, ActivationLabError) else f"{type(exc).__name__}: {exc}"
    return error_report(
        submission.name,
        ctx,
        detail,
        kind="grader",
        content_hash=submission.content_hash,
        notes=submission.notes,
    )


def grade_path(path: Path, ctx: GradingContext) -> SubmissionReport:
    """Load and grade one PATH; a PATH that cannot be read becomes an ``error`` report, never an exception."""
    try:
        submission = load_submission(Path(path), ctx.course)
    except SubmissionError as exc:
        return error_report(Path(path).name, ctx, str(exc), kind="submission")
    except Exception as exc:
        return error_report(Path(path).name, ctx, f"{type(exc).__name__}: {exc}", kind="grader")
    return grade_submission(submission, ctx)
