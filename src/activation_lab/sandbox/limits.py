"""The resource limits of one submission's sandbox, and the error of a sandbox that cannot do its job."""

from __future__ import annotations

from dataclasses import dataclass

from activation_lab.errors import ActivationLabError


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits of one submission's sandbox; every field is documented in ``docs/security.md``."""

    # wall-clock budget per exercise (import + all calls); also its CPU-time limit
    exercise_seconds: float = 10.0
    call_seconds: float = 5.0  # wall-clock deadline of a single call
    memory_bytes: int = 1 << 30  # address space a worker may add on top of Python + NumPy
    # memory of the whole submission (all its workers and its /tmp files), where a cgroup can enforce it
    submission_memory_bytes: int = 2 << 30
    output_bytes: int = 64 << 10  # characters of printed output kept per call; the rest is dropped
    file_size_bytes: int = 16 << 20  # largest file a worker may write (in its private /tmp)
    open_files: int = 64  # file descriptors per worker
    # RLIMIT_NPROC (binding only for a non-root uid; the seccomp filter forbids new processes anyway)
    processes: int = 64
    message_bytes: int = 4 << 20  # largest frame the parent accepts from a worker (bounds its JSON parsing)
    array_bytes: int = 1 << 20  # largest array (in bytes) that crosses the boundary (the suites send < 1 KiB)
    startup_seconds: float = 20.0  # time allowed for the sandbox to start and import NumPy
    # the seccomp filter; turned off only by tests that check the namespaces on their own
    syscall_filter: bool = True


class SandboxError(ActivationLabError):
    """The sandbox could not be started or trusted (a fault of the grading machine, not of the student)."""
