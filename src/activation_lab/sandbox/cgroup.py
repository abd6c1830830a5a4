"""A submission's memory bounded as a whole: one cgroup (memory controller) per running sandbox.

Where the machine gives the grader a writable memory controller (cgroup v1 ``memory`` or cgroup v2 with
``memory`` delegated), every process of a sandbox — zygote, workers, and the pages of its private ``/tmp`` —
is charged to one cgroup whose limit is ``Limits.submission_memory_bytes``; past it the kernel kills the
largest process in it (a worker), which the sandbox reports as the ``memory`` status. Elsewhere only the
per-worker rlimits apply; :func:`memory_controller` says which, and ``docs/security.md`` what that means.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from functools import cache
from pathlib import Path

CGROUP_ENV = "ACTIVATION_LAB_SANDBOX_CGROUP"  # "0": never use a cgroup (tests of the fallback)
# Opt-in, for measuring only (benchmarks/grade_class.py): a cgroup folder every sandbox's first process joins
# before it becomes the sandbox, so the CPU of the sandbox side is counted apart from the trusted side's.
ACCOUNTING_ENV = "ACTIVATION_LAB_ACCOUNTING_CGROUP"
ROOT = Path("/sys/fs/cgroup")
_COUNTER = itertools.count()


def _own_cgroup() -> tuple[str, Path] | None:
    """``("v1" | "v2", folder)`` of this process's memory cgroup, if a controller is mounted."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(",") and (ROOT / "memory").is_dir():
            return "v1", ROOT / "memory" / path.lstrip("/")
    for line in lines:
        if line.startswith("0::") and (ROOT / "cgroup.controllers").exists():
            return "v2", ROOT / line[3:].lstrip("/")
    return None


@cache
def memory_controller() -> str | None:
    """``"cgroup v1"``/``"cgroup v2"`` when sandboxes get a memory cgroup here, else ``None`` (rlimits)."""
    if os.environ.get(CGROUP_ENV, "").strip() == "0":
        return None
    found = _own_cgroup()
    if found is None:
        return None
    probe = SandboxCgroup.create(1 << 30)
    if probe is None:
        return None
    probe.remove()
    return f"cgroup {found[0]}"


class SandboxCgroup:
    """One memory cgroup holding one sandbox's processes."""

    def __init__(self, version: str, folder: Path) -> None:
        self.version = version
        self.folder = folder

    @classmethod
    def create(cls, limit_bytes: int) -> SandboxCgroup | None:
        """A new child of our own cgroup limited to ``limit_bytes``; ``None`` where that is not possible."""
        if os.environ.get(CGROUP_ENV, "").strip() == "0":
            return None
        found = _own_cgroup()
        if found is None:
            return None
        version, parent = found
        accounting = accounting_group()
        if version == "v2" and accounting is not None:  # one hierarchy: the memory cgroup goes inside it
            parent = accounting
        folder = parent / f"activation-lab-{os.getpid()}-{next(_COUNTER)}"
        try:
            folder.mkdir()
        except OSError:
            return None
        group = cls(version, folder)
        try:
            if version == "v1":
                (folder / "memory.limit_in_bytes").write_text(str(limit_bytes))
                with contextlib.suppress(OSError):  # only with swap accounting
                    (folder / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
            else:
                (folder / "memory.max").write_text(str(limit_bytes))
                (folder / "memory.swap.max").write_text("0")
        except OSError:
            group.remove()
            return None
        return group

    @property
    def procs_file(self) -> str:
        """The file a process writes its pid to in order to join the cgroup."""
        return str(self.folder / "cgroup.procs")

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` started inside this cgroup (the shell joins it, then becomes the command)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', self.procs_file, *command]

    def oom_kills(self) -> int:
        """How many processes the kernel killed in this cgroup for want of memory so far."""
        name = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            for line in (self.folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self, wait: float = 2.0) -> None:
        """Delete the cgroup once its processes are gone (they were killed by the caller)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.02)


def accounting_group() -> Path | None:
    """The folder ``ACTIVATION_LAB_ACCOUNTING_CGROUP`` names (a v1 ``cpuacct`` or a v2 group), or ``None``.

    Unset (the default), nothing changes. Set, by a benchmark that runs the grader in a CPU-accounting
    cgroup of its own, every sandbox is started in this group instead: its bubblewrap, zygote and workers
    (which inherit it) are counted here, the trusted side in the grader's group. On cgroup v2, where a
    process is in one group only, the sandbox's memory cgroup is made inside it. Joining is best effort: a
    group that cannot be joined leaves the sandbox where it was (counted with the grader), never unstarted.
    """
    value = os.environ.get(ACCOUNTING_ENV, "").strip()
    return Path(value) if value else None


def launch_command(command: list[str], cgroup: SandboxCgroup | None) -> list[str]:
    """``command`` started in the sandbox's memory cgroup (if any) and the accounting group (if asked for).

    A small shell joins the groups, then becomes the command; without either, the command itself.
    """
    accounting = accounting_group()
    if accounting is not None and cgroup is not None and accounting in cgroup.folder.parents:
        accounting = None  # cgroup v2: the memory cgroup is already inside it
    if accounting is None:
        return command if cgroup is None else cgroup.wrap(command)
    join = '{ echo $$ > "$0"; } 2>/dev/null; '  # best effort: a group we cannot join changes nothing
    target = str(accounting / "cgroup.procs")
    if cgroup is None:
        return ["/bin/sh", "-c", join + 'exec "$@"', target, *command]
    # the memory cgroup first, and it is required, as in SandboxCgroup.wrap
    script = 'echo $$ > "$1" || exit 1; ' + join + 'shift; exec "$@"'
    return ["/bin/sh", "-c", script, target, cgroup.procs_file, *command]
