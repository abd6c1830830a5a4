"""The project's own exceptions; the CLI maps each to a message and an exit code in one place."""


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
