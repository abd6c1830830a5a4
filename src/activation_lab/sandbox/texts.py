"""What the sandbox tells a student (and the instructor) about an aborted exercise or a weak sandbox."""

from __future__ import annotations

import signal

from activation_lab.errors import ExerciseAborted
from activation_lab.i18n import message
from activation_lab.sandbox.isolation import is_strong
from activation_lab.sandbox.limits import Limits

ABORT_KEYS = {"timeout": "timeout", "memory": "memory", "error": "crashed"}


def abort_message(aborted: ExerciseAborted, lang: str, limits: Limits | None = None) -> str:
    """The student-facing explanation of an ``ExerciseAborted`` raised by this sandbox, in ``lang``."""
    limits = limits or getattr(aborted, "limits", None) or Limits()
    key = getattr(aborted, "message_key", None) or ABORT_KEYS.get(aborted.status, "crashed")
    return message(
        "sandbox",
        f"abort.{key}",
        lang,
        module=getattr(aborted, "module", "?"),
        detail=aborted.detail,
        seconds=f"{limits.exercise_seconds:g}",
        call_seconds=f"{limits.call_seconds:g}",
        megabytes=limits.memory_bytes >> 20,
        total_megabytes=limits.submission_memory_bytes >> 20,
    )


def isolation_warning(isolation: str, lang: str) -> str | None:
    """The loud warning to show when grading ran without the strong sandbox, or ``None`` when it did not."""
    return None if is_strong(isolation) else message("sandbox", "weak_isolation", lang, isolation=isolation)


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11, and so on (``signal N`` for a number without a name)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
