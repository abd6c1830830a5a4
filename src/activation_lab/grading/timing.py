"""Opt-in timing of the grading phases, for ``benchmarks/grade_class.py``: off unless asked for.

With ``ACTIVATION_LAB_PROFILE=DIR`` in the environment, every process that grades appends one JSON line per
submission to ``DIR/profile-<pid>.jsonl``: the seconds spent in each phase (exclusive of the phases nested
in it, so the figures add up to the time measured) and counters such as round trips to the sandbox.
Without it, :func:`phase` returns one shared do-nothing context manager and nothing is recorded. The
variable is read once per process.

The state is per process on purpose: a profile describes the process that measured it (a forked worker
starts from an empty one).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

ENV = "ACTIVATION_LAB_PROFILE"
_NOTHING = contextlib.nullcontext()


class _Profile:
    """Exclusive seconds per phase and counters of the current unit of work (one submission)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.stack: list[list[float]] = []  # [start, seconds spent in nested phases]
        self.pid = os.getpid()

    def phase(self, name: str) -> _Phase:
        return _Phase(self, name)

    def close(self, name: str, frame: list[float]) -> None:
        self.stack.pop()
        elapsed = time.perf_counter() - frame[0]
        self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - frame[1]
        if self.stack:
            self.stack[-1][1] += elapsed

    def flush(self, label: str, **extra: Any) -> None:
        if not self.seconds and not self.counts:
            return
        line = {"label": label, "pid": self.pid, "seconds": self.seconds, "counts": self.counts, **extra}
        with (self.folder / f"profile-{self.pid}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
        self.seconds, self.counts = {}, {}


class _Phase:
    """One timed ``with`` block (a class, not a generator: it runs around every student call)."""

    __slots__ = ("frame", "name", "profile")

    def __init__(self, profile: _Profile, name: str) -> None:
        self.profile = profile
        self.name = name
        self.frame = [0.0, 0.0]  # [start, seconds spent in nested phases]

    def __enter__(self) -> None:
        self.frame[0] = time.perf_counter()
        self.profile.stack.append(self.frame)

    def __exit__(self, *exc: object) -> None:
        self.profile.close(self.name, self.frame)


_profile: _Profile | None = None
_read = False  # whether this process read the environment (a forked child reads it again)


def _forget() -> None:
    global _read
    _read = False


# at fork rather than a getpid() per phase: phase() runs around every student call, profile or not
os.register_at_fork(after_in_child=_forget)


def _current() -> _Profile | None:
    if not _read:
        reset()
    return _profile


def reset() -> None:
    """Read ``ACTIVATION_LAB_PROFILE`` again (done once per process; tests that change it call this)."""
    global _profile, _read
    folder = os.environ.get(ENV)
    _profile = _Profile(folder) if folder else None
    _read = True


def enabled() -> bool:
    """Whether this process records a profile."""
    return _current() is not None


def phase(name: str) -> contextlib.AbstractContextManager[None]:
    """Time the ``with`` block as phase ``name`` (its nested phases are not counted twice)."""
    profile = _current()
    return _NOTHING if profile is None else profile.phase(name)


def count(name: str, n: int = 1) -> None:
    """Add ``n`` to counter ``name`` (round trips, tests run, ...)."""
    profile = _current()
    if profile is not None:
        profile.counts[name] = profile.counts.get(name, 0) + n


def flush(label: str, **extra: Any) -> None:
    """Write what was recorded since the last flush as one line labelled ``label``, and start over."""
    profile = _current()
    if profile is not None:
        profile.flush(label, **extra)
