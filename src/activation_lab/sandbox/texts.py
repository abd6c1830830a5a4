"""What the sandbox tells a student (and the instructor) about an aborted exercise or a weak sandbox."""

from __future__ import annotations

import re
import signal

from activation_lab.errors import ExerciseAborted
from activation_lab.i18n import Message, message, render
from activation_lab.sandbox.isolation import is_strong
from activation_lab.sandbox.limits import Limits

ABORT_KEYS = {"timeout": "timeout", "memory": "memory", "error": "crashed"}


# The fixed English details of the sandbox's aborts and the catalogue entries that say them in any language.
ABORT_DETAILS = (
    (re.compile(r"call took too long$"), "detail.call_too_long"),
    (re.compile(r"exercise time budget used up$"), "detail.budget_used_up"),
    (re.compile(r"import took too long$"), "detail.import_too_long"),
    (re.compile(r"CPU time limit exceeded$"), "detail.cpu_limit"),
    (re.compile(r"MemoryError while importing (?P<name>\S+)$"), "detail.memory_import"),
    (re.compile(r"MemoryError in (?P<name>\S+)$"), "detail.memory_call"),
    (re.compile(r"exited with code (?P<code>\S+)$"), "detail.exit_code"),
    (re.compile(r"crashed: the worker vanished$"), "detail.vanished"),
    (re.compile(r"crashed: (?P<signal>\S+)$"), "detail.signal"),
)


def abort_detail(detail: str) -> Message | str:
    """``detail`` as a catalogue message when it is one of the sandbox's fixed phrases, else as it is."""
    for pattern, key in ABORT_DETAILS:
        match = pattern.match(detail)
        if match:
            return Message("sandbox", key, match.groupdict())
    return detail


def abort_text(aborted: ExerciseAborted, limits: Limits | None = None) -> Message:
    """The student-facing explanation of an ``ExerciseAborted`` raised by this sandbox, as a message."""
    limits = limits or getattr(aborted, "limits", None) or Limits()
    key = getattr(aborted, "message_key", None) or ABORT_KEYS.get(aborted.status, "crashed")
    return Message(
        "sandbox",
        f"abort.{key}",
        {
            "module": getattr(aborted, "module", "?"),
            "detail": abort_detail(aborted.detail),
            "seconds": f"{limits.exercise_seconds:g}",
            "call_seconds": f"{limits.call_seconds:g}",
            "megabytes": limits.memory_bytes >> 20,
            "total_megabytes": limits.submission_memory_bytes >> 20,
        },
    )


def abort_message(aborted: ExerciseAborted, lang: str, limits: Limits | None = None) -> str:
    """The student-facing explanation of an ``ExerciseAborted`` raised by this sandbox, in ``lang``."""
    return render(abort_text(aborted, limits), lang)


def isolation_warning(isolation: str, lang: str) -> str | None:
    """The loud warning to show when grading ran without the strong sandbox, or ``None`` when it did not."""
    return None if is_strong(isolation) else message("sandbox", "weak_isolation", lang, isolation=isolation)


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11, and so on (``signal N`` for a number without a name)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
