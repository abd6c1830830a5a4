"""One running sandbox: the isolated process tree around a zygote, and the parent's end of its control socket.

A :class:`RunningSandbox` serves one submission at a time (the pool may hand it to the next). It knows
what its zygote said when it started — the confinement it gives and its own state — and can ask for that
state again, so a sandbox whose zygote changed is never handed on.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from activation_lab.sandbox import isolation as iso
from activation_lab.sandbox import wire
from activation_lab.sandbox.cgroup import SandboxCgroup, launch_command
from activation_lab.sandbox.limits import Limits, SandboxError

CONTROL_BYTES = 1 << 16


def received_fds(ancillary: list[Any]) -> list[int]:
    """The file descriptors passed with a message (SCM_RIGHTS)."""
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds += list(struct.unpack(f"{usable // 4}i", data[:usable]))
    return fds


def seen_from_outside(pid: int | None) -> dict[str, Any] | None:
    """A process's limits, scheduling, affinity and identity as the host shows them (``None``: unknown).

    Read by the parent from ``/proc``, so it does not depend on anything the sandbox says.
    """
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return {
            "limits": Path(f"/proc/{pid}/limits").read_text(),
            "priority_nice_rt_policy": [stat[15], stat[16], stat[37], stat[38]],
            "affinity": sorted(os.sched_getaffinity(pid)),
            "identity": [line for line in status if line.startswith(("Uid:", "Gid:", "Groups:"))],
        }
    except (OSError, IndexError):
        return None


def sender_pid(ancillary: list[Any]) -> int | None:
    """The sender's pid as the kernel reports it in our pid namespace (SCM_CREDENTIALS), if present."""
    credentials = getattr(socket, "SCM_CREDENTIALS", None)  # Linux only
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == credentials and len(data) >= 12:
            pid = struct.unpack("3i", data[:12])[0]
            return pid if pid > 0 else None
    return None


SHARED_MEMORY = "/dev/shm"


@functools.cache
def _shared_memory_usable() -> bool:
    return os.path.isdir(SHARED_MEMORY) and os.access(SHARED_MEMORY, os.W_OK | os.X_OK)


def scratch_dir(isolation: str) -> str | None:
    """Where a sandbox's folder (the students' files, the worker's code) is made; ``None``: the temp dir.

    In the strong mode, ``/dev/shm`` (a tmpfs) when it is usable and ``TMPDIR`` is not set: writing a
    submission's five files and deleting them costs 0.09 ms of CPU there against 2.7 ms on ext4 (measured).
    The folder is private (``mkdtemp``: mode 0700) and bound read-only into the sandbox, whose own ``/tmp`` is
    a tmpfs of its own; the fallback modes keep the temp dir, where their workers' temporary files go too.
    """
    if isolation != "bwrap" or os.environ.get("TMPDIR") or not _shared_memory_usable():
        return None
    return SHARED_MEMORY


class RunningSandbox:
    """One running sandbox (bubblewrap or a fallback) with its zygote; it serves one submission at a time."""

    def __init__(self, limits: Limits, isolation: str, preload: Sequence[str] = ()) -> None:
        self.limits = limits
        self.isolation = isolation
        self.ready = False
        self.served = 0
        # imported by the zygote before it says it is ready (in parallel with the parent's preparation)
        self.preloaded: set[str] = set(preload)
        self.exits: dict[int, dict[str, Any]] = {}
        self.confinement: dict[str, Any] = {}  # what the zygote said the machine gives (seccomp, Landlock)
        self.state: dict[str, Any] | None = None  # the zygote's own state when it started, as it says
        self.zygote_pid: int | None = None  # its pid on the host (from the kernel, not from the zygote)
        self.outside: dict[str, Any] | None = None  # its state when it started, read by us from /proc
        self.cgroup = SandboxCgroup.create(limits.submission_memory_bytes)
        self._next_id = 0
        root = Path(tempfile.mkdtemp(prefix="activation-lab-sandbox-", dir=scratch_dir(isolation)))
        self.root = root
        (root / "subs").mkdir()
        (root / "tmp").mkdir()
        iso.copy_sandbox_code(root)
        inside = isolation == "bwrap"
        self.subs_inside = f"{iso.INSIDE_ROOT}/subs" if inside else str(root / "subs")
        self.tmp_inside = "/tmp" if inside else str(root / "tmp")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        if hasattr(socket, "SO_PASSCRED"):  # Linux: the kernel tells us the zygote's host pid
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        _, site_dirs = iso.python_paths()
        config = {
            **asdict(limits),
            "cpu_seconds": limits.exercise_seconds,
            "seccomp": limits.syscall_filter,
            "site_dirs": site_dirs,
            "readable": iso.readable_paths(),
            "subs_root": self.subs_inside,
            "tmp_root": self.tmp_inside,
            "control_fd": theirs.fileno(),
            "preload": list(preload),
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": self.tmp_inside,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": f"{self.tmp_inside}/matplotlib",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        if not inside:
            env["TMPDIR"] = self.tmp_inside
        worker_path = f"{iso.INSIDE_ROOT}/worker.py" if inside else str(root / "worker.py")
        command = [sys.executable, "-I", "-S", worker_path, json.dumps(config)]
        if isolation == "bwrap":
            command = [*iso.bwrap_prefix(root, env), *command]
        elif isolation == "unshare":
            command = [*iso.unshare_prefix(), *command]
        command = launch_command(command, self.cgroup)  # its memory cgroup; an accounting one if asked for
        errors = (root / "stderr.txt").open("wb")
        try:
            self.process = subprocess.Popen(
                command,
                cwd=root / "subs",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        except OSError as exc:
            shutil.rmtree(root, ignore_errors=True)
            if self.cgroup is not None:
                self.cgroup.remove()
            raise SandboxError(f"cannot start the sandbox ({isolation}): {exc}") from None
        finally:
            errors.close()
            theirs.close()
        self.control: socket.socket | None = ours
        self._finalizer = weakref.finalize(self, _tear_down, self.process, root, self.cgroup, os.getpid())

    @property
    def memory_bound(self) -> str:
        """``"cgroup"`` when the submission's memory is bounded as a whole, ``"rlimit"`` when per worker."""
        return "cgroup" if self.cgroup is not None else "rlimit"

    def alive(self) -> bool:
        """Whether the sandbox still runs and its control channel is open."""
        return self.control is not None and self.process.poll() is None

    def wait_ready(self) -> None:
        """Wait until the zygote has imported NumPy (``SandboxError`` if it does not)."""
        if self.ready:
            return
        ancillary: list[Any] = []
        try:
            assert self.control is not None
            deadline = time.monotonic() + self.limits.startup_seconds
            ready = wire.recv_frame(self.control, CONTROL_BYTES, ancillary, deadline)
        except (TimeoutError, EOFError, OSError, wire.ProtocolError) as exc:
            detail = (self.root / "stderr.txt").read_text(errors="replace")[-2000:]
            self.close()
            raise SandboxError(f"the sandbox ({self.isolation}) did not start: {exc!r} {detail}") from None
        if (
            not isinstance(ready, dict)
            or ready.get("zygote") != "ready"
            or not isinstance(ready.get("state"), dict)
        ):
            self.close()
            raise SandboxError(f"unexpected first message from the sandbox: {str(ready)[:300]}")
        self.confinement = {
            "seccomp": ready.get("seccomp") is True,
            "landlock_abi": ready.get("landlock_abi"),
        }
        self.state = ready["state"]
        for fd in received_fds(ancillary):
            os.close(fd)
        self.zygote_pid = sender_pid(ancillary)
        self.outside = seen_from_outside(self.zygote_pid)
        self.ready = True

    def confines_every_worker(self) -> bool:
        """Whether the zygote said this machine gives its workers both the seccomp filter and Landlock."""
        abi = self.confinement.get("landlock_abi")
        return self.confinement.get("seccomp") is True and type(abi) is int and abi >= 1

    def unchanged(self, deadline: float) -> bool:
        """Whether the zygote's limits, scheduling, identity and IPC objects are as they were at start.

        Asked of the zygote (which also sees its IPC namespace) and read from the host's ``/proc``.
        """
        return self._unchanged({"check": True}, "checked", deadline)

    def close_submission(self, tmp_dir: str, workers: list[int], deadline: float) -> bool:
        """One request: kill and reap a submission's ``workers``, delete its files, then ``unchanged``.

        ``True`` only if every one of ``workers`` is confirmed dead (in this reply or an earlier exit notice)
        and the zygote is unchanged, as it says and as the host's ``/proc`` shows.
        """
        if len(workers) > MAX_CLOSE:
            return False
        try:
            reply = self.ask({"close": tmp_dir, "workers": workers}, "closed", deadline)
            exits = reply.get("exits")
            if type(exits) is not list or len(exits) > MAX_EXIT_NOTICES:
                raise wire.ProtocolError("close reply without a list of exits")
            for notice in exits:
                if not isinstance(notice, dict):
                    raise wire.ProtocolError("malformed exit notice")
                self.exits[exit_notice(notice, len(self.exits))] = notice
        except (TimeoutError, EOFError, OSError, wire.ProtocolError):
            return False
        confirmed = all(pid in self.exits for pid in workers)
        for pid in workers:
            self.exits.pop(pid, None)
        return confirmed and self._same(reply)

    def _unchanged(self, request: dict[str, Any], answer_key: str, deadline: float) -> bool:
        try:
            reply = self.ask(request, answer_key, deadline)
        except (TimeoutError, EOFError, OSError, wire.ProtocolError):
            return False
        return self._same(reply)

    def _same(self, reply: dict[str, Any]) -> bool:
        """Whether the state in ``reply`` and the zygote's ``/proc`` on the host are as at start."""
        same_inside = self.state is not None and reply.get("state") == self.state
        return same_inside and seen_from_outside(self.zygote_pid) == self.outside

    def read_control(
        self, deadline: float, fds: list[int] | None = None, *, until_exit: int | None = None
    ) -> Any:
        """The next control message that is not an exit notice (exit notices are filed in ``exits``).

        With ``until_exit``, returns as soon as the exit notice of that worker has been filed.
        """
        if self.control is None:
            raise EOFError("sandbox closed")
        while until_exit is None or until_exit not in self.exits:
            ancillary: list[Any] = []
            message = wire.recv_frame(self.control, CONTROL_BYTES, ancillary, deadline)
            received = received_fds(ancillary)
            if fds is not None:
                fds.extend(received)
            else:
                for fd in received:
                    os.close(fd)
            if not isinstance(message, dict):
                raise wire.ProtocolError("control message is not an object")
            if "exited" in message:
                self.exits[exit_notice(message, len(self.exits))] = message
                continue
            if until_exit is None:
                return message
        return self.exits[until_exit]

    def ask(
        self, message: dict[str, Any], answer_key: str, deadline: float, fds: list[int] | None = None
    ) -> Any:
        """Send a request to the zygote and return its reply (which must carry ``answer_key`` = our id)."""
        if self.control is None:
            raise EOFError("sandbox closed")
        self._next_id += 1
        wire.send_frame(self.control, {**message, "id": self._next_id})
        reply = self.read_control(deadline, fds)
        if reply.get(answer_key) != self._next_id:
            raise wire.ProtocolError(f"unexpected reply from the zygote: {str(reply)[:300]}")
        return reply

    def spawn(
        self, module_names: list[str], work_dir: str, tmp_dir: str, deadline: float
    ) -> list[tuple[socket.socket, int]]:
        """New workers, one per module, in one request: each one's channel and pid inside the sandbox."""
        ident = self.request_spawn(module_names, work_dir, tmp_dir)
        return self.receive_spawn(ident, len(module_names), deadline)

    def request_spawn(self, module_names: list[str], work_dir: str, tmp_dir: str) -> int:
        """Ask for one worker per module without waiting (``receive_spawn`` reads the reply); the id."""
        if not 0 < len(module_names) <= MAX_SPAWN:
            raise ValueError(f"between 1 and {MAX_SPAWN} workers per spawn request")
        if self.control is None:
            raise EOFError("sandbox closed")
        self._next_id += 1
        request = {"spawn": module_names, "work_dir": work_dir, "tmp_dir": tmp_dir, "id": self._next_id}
        wire.send_frame(self.control, request)
        return self._next_id

    def receive_spawn(self, ident: int, count: int, deadline: float) -> list[tuple[socket.socket, int]]:
        """The reply to spawn request ``ident`` for ``count`` modules: their channels and pids, in order.

        The reply must name exactly one distinct pid and carry exactly one Unix stream socket per module;
        anything else is a ``ProtocolError`` and every descriptor received is closed.
        """
        fds: list[int] = []
        channels: list[socket.socket] = []
        try:
            reply = self.read_control(deadline, fds)
            if reply.get("spawned") != ident:
                raise wire.ProtocolError(f"unexpected reply from the zygote: {str(reply)[:300]}")
            pids = reply.get("pids")
            if type(pids) is not list or len(pids) != count or len(fds) != count:
                raise wire.ProtocolError("spawn reply without exactly one channel and pid per worker")
            if len(set(pids)) != len(pids) or any(type(p) is not int or not 0 < p < 1 << 22 for p in pids):
                raise wire.ProtocolError("spawn reply with a bad pid")
            while fds:
                channels.append(socket.socket(fileno=fds[0]))  # OSError if it is not a socket
                fds.pop(0)
            if any(c.family != socket.AF_UNIX or c.type != socket.SOCK_STREAM for c in channels):
                raise wire.ProtocolError("spawn reply with a channel that is not a Unix stream socket")
        except BaseException:
            for channel in channels:
                channel.close()
            for fd in fds:
                os.close(fd)
            raise
        return list(zip(channels, pids, strict=True))

    def ask_to_kill(self, inside_pid: int) -> None:
        """Second-best way to stop a worker whose host pid is unknown (closing the sandbox kills it too)."""
        if self.control is not None:
            with contextlib.suppress(OSError):
                wire.send_frame(self.control, {"kill": inside_pid})

    def exit_status(self, inside_pid: int, wait: float) -> dict[str, Any] | None:
        """How worker ``inside_pid`` ended, as reported by the zygote (``None`` if it did not say in time)."""
        if self.control is None:
            return self.exits.get(inside_pid)
        try:
            status: dict[str, Any] = self.read_control(time.monotonic() + wait, until_exit=inside_pid)
            return status
        except (TimeoutError, EOFError, OSError, wire.ProtocolError):
            return self.exits.get(inside_pid)

    def close(self) -> None:
        """Kill every process of the sandbox and delete its directory (and its cgroup)."""
        if self.control is not None:
            self.control.close()
            self.control = None
        self._finalizer()


MAX_SPAWN = 8  # workers per spawn request: wire.recv_frame's ancillary buffer holds 8 fds and credentials
MAX_CLOSE = 64  # workers named in one close request (a submission has one per exercise)
MAX_EXIT_NOTICES = 4096  # a sandbox serves a few hundred workers; more notices than that is a flood


def exit_notice(message: dict[str, Any], filed: int) -> int:
    """The pid of a well-formed exit notice ``{"exited": pid, "signal"|"code": int}``."""
    pid = message.get("exited")
    how = [message.get(key) for key in ("signal", "code") if key in message]
    if type(pid) is not int or not 0 < pid < 1 << 22 or len(how) != 1 or type(how[0]) is not int:
        raise wire.ProtocolError("malformed exit notice")
    if not -256 < how[0] < 256 or filed >= MAX_EXIT_NOTICES:
        raise wire.ProtocolError("exit notice out of range")
    return pid


def _tear_down(
    process: subprocess.Popen[bytes], root: Path, cgroup: SandboxCgroup | None, owner: int
) -> None:
    """Kill the sandbox's process tree and remove its directory (also run at garbage collection and exit).

    Only the process that started the sandbox does this: a forked child (``--jobs``) inherits the object, not
    the sandbox.
    """
    if os.getpid() != owner:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # start_new_session: the group of bwrap / the zygote
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    for folder in (root / "subs").glob("*"):
        with contextlib.suppress(OSError):
            folder.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)
    if cgroup is not None:
        cgroup.remove()
