"""The project's own exceptions and exit codes; the CLI maps each exception to a message and a code."""

import enum


class ExitCode(enum.IntEnum):
    """What the ``activation-lab`` process tells its caller (listed in ``grade --help``)."""

    OK = 0
    """Everything asked for was done. For ``grade``, every PATH has a report, whatever its score: an
    unreadable or missing PATH is a report with status ``error`` (``error_kind: submission``)."""

    INVALID = 1
    """A quiz or answers file is malformed (``quiz validate``, ``quiz grade``); the message names the line."""

    USAGE = 2
    """The command line is wrong (bad option, ``--resume`` without ``--out``, a missing file to read)."""

    GRADER_FAULT = 3
    """The grader failed: broken course content (manifest, suites, quizzes) or a crash of the grader on a
    submission (that submission's report has ``error_kind: grader``). Never the student's fault."""

    INTERRUPTED = 130
    """Stopped by Ctrl-C (128 + SIGINT, as shells report it); finished results in ``--out`` are kept."""


class ActivationLabError(Exception):
    """Base class of every error the engine raises on purpose."""


class UsageError(ActivationLabError):
    """The user asked for something that cannot be done (bad option, missing path)."""


class CourseError(ActivationLabError):
    """The course content (manifest, suites, solutions) is broken: the instructor's problem."""


class SubmissionError(ActivationLabError):
    """A submission cannot be read at all (bad zip, unreadable path); the batch goes on without it."""


class QuizError(ActivationLabError):
    """A quiz or an answers file is malformed; the message names file, line and field."""


class ExerciseAborted(ActivationLabError):
    """The student's process for one exercise is gone (timeout, memory cap, crash); no further calls can run.

    ``status`` is the exercise status the report should show: ``timeout``, ``memory`` or ``error``.
    """

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
