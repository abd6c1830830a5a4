"""Frozen records of the engine: student calls, test outcomes, exercise and submission results.

Every text in a record is a :class:`~activation_lab.i18n.Message`, rendered only by the outputs
(``reports.report.report_to_json(report, lang)``, the terminal tables, Gradescope, otter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from activation_lab.i18n import Message

CheckStatus = Literal["passed", "failed", "error"]
ExerciseStatus = Literal["graded", "missing", "error", "timeout", "memory"]
ReportStatus = Literal["graded", "error"]


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Element-wise closeness ``|got − expected| ≤ atol + rtol·|expected|`` (NumPy's ``isclose``)."""

    rtol: float = 1e-7
    atol: float = 1e-9


DEFAULT_TOLERANCE = Tolerance()  # the one default: checks, misconception detection, docs


@dataclass(frozen=True, slots=True)
class Raised:
    """An exception raised by student code, as plain data (type name, truncated message, student frames)."""

    type: str
    message: str
    traceback: str = ""


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value the student returned that is not plain numeric data; only its type name crosses over."""

    type_name: str


@dataclass(frozen=True, slots=True)
class CallResult:
    """What one call of a student function produced.

    ``value`` is ``None``, a ``bool``/``int``/``float``, a NumPy scalar, an ``ndarray`` or an ``Opaque``;
    ``args_after`` are the arguments as the function left them (to detect mutation); ``warnings`` are
    ``"Category: message"`` strings emitted during the call; ``stdout`` is what it printed (capped).
    """

    value: Any = None
    raised: Raised | None = None
    args_after: tuple[Any, ...] = ()
    warnings: tuple[str, ...] = ()
    stdout: str = ""


@dataclass(frozen=True, slots=True)
class ExerciseSpec:
    """One exercise of the course, as declared in ``autograder/manifest.toml``."""

    id: str
    file: str
    functions: tuple[str, ...]
    max_score: float
    suite: str  # path of the hidden pytest suite, relative to the course root
    part: str = "code"  # the grade part this exercise counts toward (manifest ``part``; e.g. code, plots)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """The outcome of one hidden test (named so that pytest does not collect it)."""

    name: Message  # the test's title (course-provided, in several languages)
    score: float
    max_score: float
    status: CheckStatus
    hidden: bool
    feedback: Message | None = None
    hints: tuple[str, ...] = ()  # keys of recognised misconceptions, e.g. ("ambiguous_truth",)


@dataclass(frozen=True, slots=True)
class ExerciseResult:
    """The graded result of one exercise of one submission."""

    id: str
    score: float
    max_score: float
    status: ExerciseStatus
    tests: tuple[CheckOutcome, ...] = ()
    notes: tuple[Message, ...] = ()
    attempted: bool = True
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class QuizItemResult:
    """The graded answer to one quiz item."""

    id: str
    score: float
    max_score: float
    feedback: Message | None = None


@dataclass(frozen=True, slots=True)
class QuizResult:
    """The graded answers to one quiz."""

    score: float
    max_score: float
    items: tuple[QuizItemResult, ...] = ()
    quiz_id: str = ""


@dataclass(frozen=True, slots=True)
class PartResult:
    """One grade part of a submission (``code``, ``quiz``, ...): its score against the course's fixed maximum.

    ``status`` is ``graded``, or ``missing`` when the submission holds nothing of the part (score 0);
    ``counted`` is whether the course's ``[grading] parts`` counts it toward the total.
    """

    id: str
    score: float
    max_score: float
    status: str
    counted: bool = True


@dataclass(frozen=True, slots=True)
class SubmissionReport:
    """Everything graded for one submission; serialised as the JSON report (docs/contract.md, "Report")."""

    submission: str
    status: ReportStatus
    score: float
    max_score: float
    exercises: tuple[ExerciseResult, ...] = ()
    quiz: QuizResult | None = None
    notes: tuple[Message, ...] = ()
    error: Message | None = None
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    parts: tuple[PartResult, ...] = ()
