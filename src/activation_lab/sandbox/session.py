"""Run one submission's files in an isolated child process tree and call their functions as plain data.

One :class:`SubmissionSandbox` per submission starts one sandbox (bubblewrap namespaces when available)
holding a scratch directory with copies of the whitelisted student files and the stand-alone ``harness.py``
zygote, which imports NumPy once. ``open(module)`` gives a :class:`StudentCode` whose worker process (forked
by the zygote, one per exercise) imports the student's module and answers calls. Deadlines, budgets and kills
are enforced here, in the trusted parent, which never imports student code. ``docs/security.md`` describes the
model and its limits.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import multiprocessing.util
import os
import platform
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from activation_lab.errors import ActivationLabError, ExerciseAborted
from activation_lab.i18n import message
from activation_lab.records import CallResult, Raised
from activation_lab.sandbox import worker as harness

STRONG_ENV = "ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX"
FORCE_ENV = "ACTIVATION_LAB_SANDBOX"  # "bwrap" | "unshare" | "none": force a mode (tests, debugging)
ISOLATIONS = ("bwrap", "unshare", "none")
FILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.py")
INSIDE_ROOT = "/sandbox"
EXIT_WAIT_SECONDS = 2.0
REUSE_ENV = "ACTIVATION_LAB_SANDBOX_REUSE"  # "0": a fresh sandbox for every submission
MAX_SUBMISSIONS_PER_SANDBOX = 100  # a reused sandbox is replaced after this many submissions
MAX_IDLE_HOSTS = 4  # idle sandboxes kept per (isolation, limits)
TMP_BYTES = 64 << 20  # size of the sandbox's private /tmp (a tmpfs, so it is memory)
# Names a student file may never take: the harness's own imports and the start-up hooks of Python and pytest.
RESERVED_MODULES = frozenset(
    {*sys.stdlib_module_names, "numpy", "matplotlib", "harness", "sitecustomize", "usercustomize", "conftest"}
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits of one submission's sandbox; every field is documented in ``docs/security.md``."""

    # wall-clock budget per exercise (import + all calls); also its CPU-time limit
    exercise_seconds: float = 10.0
    call_seconds: float = 5.0  # wall-clock deadline of a single call
    memory_bytes: int = 1 << 30  # address space a worker may add on top of Python + NumPy
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
    """The sandbox itself could not be started (a fault of the grading machine, not of the student)."""


# ----------------------------------------------------------------------------------------------------
# Choosing the isolation


def _python_paths() -> tuple[list[str], list[str]]:
    """Directories the interpreter needs read-only, and the site dirs holding NumPy (and matplotlib)."""
    site_dirs: list[str] = []
    for name in ("numpy", "matplotlib"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            site = str(Path(next(iter(spec.submodule_search_locations))).resolve().parent)
            if site not in site_dirs:
                site_dirs.append(site)
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site_dirs}
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    binds = sorted({str(Path(r).resolve()) for r in roots})
    binds = [b for b in binds if not any(b != o and b.startswith(o + "/") for o in binds)]
    return [b for b in binds if not b.startswith("/usr/")], site_dirs


def _preloads(sources: Any) -> list[str]:
    """Heavy libraries the zygote imports once for all workers, when a student file mentions them.

    Only the text is searched; student code never runs outside a worker. Slide-style files plot with
    ``matplotlib.pyplot`` at import time, which would otherwise cost about a second per exercise.
    """
    if any("matplotlib" in text or "pylab" in text for text in sources):
        return ["matplotlib", "matplotlib.pyplot"]
    return []


def _matplotlib_font_list() -> Path | None:
    """The grading user's matplotlib font cache, if there is one (read-only inside the sandbox)."""
    configured = os.environ.get("MPLCONFIGDIR")
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    for folder in ([configured] if configured else []) + [os.path.join(xdg, "matplotlib")]:
        found = sorted(Path(folder).glob("fontlist-v*.json"))
        if found:
            return found[-1]
    return None


def _readable_paths() -> list[str]:
    """What a worker may read once Landlock confines it: the system, Python, NumPy (plus its own files)."""
    binds, site_dirs = _python_paths()
    system = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    system += ["/etc/ld.so.cache", "/etc/localtime"]
    return [*system, *binds, *site_dirs, os.devnull]


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(top), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/localtime"):
        args += ["--ro-bind-try", etc, etc]
    return args


def _bwrap_prefix(host_root: Path, env: Mapping[str, str]) -> list[str]:
    binds, _ = _python_paths()
    args = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534"]
    args += ["--die-with-parent", "--new-session", "--clearenv", *_system_binds()]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    font_list = _matplotlib_font_list()
    if font_list is not None:  # saves matplotlib half a second of font scanning per submission
        args += ["--ro-bind", str(font_list), f"/tmp/matplotlib/{font_list.name}"]
    for path in binds:
        args += ["--ro-bind", path, path]
    args += ["--dir", INSIDE_ROOT, "--ro-bind", str(host_root / "harness.py"), f"{INSIDE_ROOT}/harness.py"]
    # The student files are read-only: one exercise can never rewrite another's file (or its own).
    args += ["--ro-bind", str(host_root / "subs"), f"{INSIDE_ROOT}/subs", "--remount-ro", "/"]
    args += ["--chdir", f"{INSIDE_ROOT}/subs"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return [*args, "--"]


def _unshare_prefix() -> list[str]:
    args = ["unshare", "--fork", "--pid", "--mount-proc", "--net", "--ipc", "--uts", "--kill-child"]
    if os.geteuid() != 0:
        args += ["--user", "--map-root-user"]
    return args


@cache
def _probe(isolation: str) -> bool:
    """Whether ``isolation`` actually works here (a tool can be installed yet refused by the kernel)."""
    with tempfile.TemporaryDirectory(prefix="activation-lab-probe-") as tmp:
        root = Path(tmp)
        (root / "subs").mkdir()
        (root / "harness.py").write_text("")
        if isolation == "bwrap":
            if shutil.which("bwrap") is None:
                return False
            command = [*_bwrap_prefix(root, {}), sys.executable, "-I", "-S", "-c", "pass"]
        elif isolation == "unshare":
            if shutil.which("unshare") is None:
                return False
            command = [*_unshare_prefix(), sys.executable, "-I", "-S", "-c", "pass"]
        else:
            return True
        try:
            completed = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return completed.returncode == 0


def detect_isolation() -> str:
    """The strongest isolation that works here: ``"bwrap"``, ``"unshare"`` or ``"none"``.

    ``ACTIVATION_LAB_SANDBOX`` forces a mode. With ``ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX=1`` (CI) anything
    but bubblewrap raises :class:`SandboxError` instead of falling back.
    """
    forced = os.environ.get(FORCE_ENV, "").strip()
    require_strong = os.environ.get(STRONG_ENV, "").strip() not in ("", "0")
    if forced and forced not in ISOLATIONS:
        raise SandboxError(f"{FORCE_ENV}={forced!r}: expected one of {', '.join(ISOLATIONS)}")
    candidates = [forced] if forced else list(ISOLATIONS)
    for isolation in candidates:
        if _probe(isolation):
            if require_strong and isolation != "bwrap":
                break
            return isolation
    if require_strong:
        raise SandboxError(f"{STRONG_ENV} is set but bubblewrap (bwrap) does not work on this machine")
    raise SandboxError(f"sandbox mode {forced!r} does not work on this machine")


def is_strong(isolation: str) -> bool:
    """Whether a mode isolates the file system and the network (only bubblewrap does)."""
    return isolation == "bwrap"


# ----------------------------------------------------------------------------------------------------
# Reading frames against a deadline


def _recv_until(
    sock: socket.socket, deadline: float, max_bytes: int, ancillary: list[Any] | None = None
) -> Any:
    """Read one frame, giving up with ``TimeoutError`` at ``deadline`` (a slow trickle cannot extend it)."""
    buffer = bytearray()
    needed = harness.FRAME_HEADER.size
    header_done = False
    while True:
        while len(buffer) < needed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([sock], [], [], remaining)
            if not readable:
                raise TimeoutError
            if ancillary is None:
                chunk = sock.recv(min(needed - len(buffer), 1 << 20))
            else:
                chunk, cmsgs, _, _ = sock.recvmsg(min(needed - len(buffer), 1 << 20), socket.CMSG_SPACE(64))
                ancillary.extend(cmsgs)
            if not chunk:
                raise EOFError("channel closed")
            buffer += chunk
        if header_done:
            break
        (size,) = harness.FRAME_HEADER.unpack(bytes(buffer))
        if size > max_bytes:
            raise harness.ProtocolError(f"frame of {size} bytes exceeds the cap of {max_bytes}")
        buffer.clear()
        needed = size
        header_done = True
        if size == 0:
            break
    try:
        return json.loads(bytes(buffer).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise harness.ProtocolError(f"malformed frame: {type(exc).__name__}") from None


def _received_fds(ancillary: list[Any]) -> list[int]:
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds += list(struct.unpack(f"{usable // 4}i", data[:usable]))
    return fds


def _sender_pid(ancillary: list[Any]) -> int | None:
    credentials = getattr(socket, "SCM_CREDENTIALS", None)  # Linux only
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == credentials and len(data) >= 12:
            pid = struct.unpack("3i", data[:12])[0]
            return pid if pid > 0 else None
    return None


# ----------------------------------------------------------------------------------------------------
# The sandbox of one submission


class _Host:
    """One running sandbox (bubblewrap or a fallback) with its zygote; it serves one submission at a time."""

    def __init__(self, limits: Limits, isolation: str) -> None:
        self.limits = limits
        self.isolation = isolation
        self.launched_at = time.monotonic()
        self.ready = False
        self.served = 0
        self.preloaded: set[str] = set()
        self.exits: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        root = Path(tempfile.mkdtemp(prefix="activation-lab-sandbox-"))
        self.root = root
        (root / "subs").mkdir()
        (root / "tmp").mkdir()
        shutil.copyfile(Path(harness.__file__), root / "harness.py")
        inside = isolation == "bwrap"
        self.subs_inside = f"{INSIDE_ROOT}/subs" if inside else str(root / "subs")
        self.tmp_inside = "/tmp" if inside else str(root / "tmp")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        _, site_dirs = _python_paths()
        config = {
            **asdict(limits),
            "cpu_seconds": limits.exercise_seconds,
            "seccomp": limits.syscall_filter,
            "site_dirs": site_dirs,
            "readable": _readable_paths(),
            "subs_root": self.subs_inside,
            "tmp_root": self.tmp_inside,
            "control_fd": theirs.fileno(),
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
        harness_path = f"{INSIDE_ROOT}/harness.py" if inside else str(root / "harness.py")
        command = [sys.executable, "-I", "-S", harness_path, json.dumps(config)]
        if isolation == "bwrap":
            command = [*_bwrap_prefix(root, env), *command]
        elif isolation == "unshare":
            command = [*_unshare_prefix(), *command]
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
            raise SandboxError(f"cannot start the sandbox ({isolation}): {exc}") from None
        finally:
            errors.close()
            theirs.close()
        self.control: socket.socket | None = ours
        self._finalizer = weakref.finalize(self, _tear_down, self.process, root, os.getpid())

    def alive(self) -> bool:
        """Whether the sandbox still runs and its control channel is open."""
        return self.control is not None and self.process.poll() is None

    def wait_ready(self) -> None:
        """Wait until the zygote has imported NumPy (``SandboxError`` if it does not)."""
        if self.ready:
            return
        try:
            ready = self.read_control(time.monotonic() + self.limits.startup_seconds)
        except (TimeoutError, EOFError, OSError, harness.ProtocolError) as exc:
            detail = (self.root / "stderr.txt").read_text(errors="replace")[-2000:]
            self.close()
            raise SandboxError(f"the sandbox ({self.isolation}) did not start: {exc!r} {detail}") from None
        if ready.get("zygote") != "ready":
            self.close()
            raise SandboxError(f"unexpected first message from the sandbox: {ready!r}")
        self.ready = True

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
            message = _recv_until(self.control, deadline, 1 << 16, ancillary)
            received = _received_fds(ancillary)
            if fds is not None:
                fds.extend(received)
            else:
                for fd in received:
                    os.close(fd)
            if not isinstance(message, dict):
                raise harness.ProtocolError("control message is not an object")
            if "exited" in message:
                self.exits[int(message["exited"])] = message
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
        harness.send_frame(self.control, {**message, "id": self._next_id})
        reply = self.read_control(deadline, fds)
        if reply.get(answer_key) != self._next_id:
            raise harness.ProtocolError(f"unexpected reply from the zygote: {reply!r}")
        return reply

    def spawn(
        self, module_name: str, work_dir: str, tmp_dir: str, deadline: float
    ) -> tuple[socket.socket, int]:
        """A new worker for ``module_name``: its channel and its pid inside the sandbox."""
        fds: list[int] = []
        try:
            request = {"spawn": module_name, "work_dir": work_dir, "tmp_dir": tmp_dir}
            reply = self.ask(request, "spawned", deadline, fds)
        except BaseException:
            for fd in fds:
                os.close(fd)
            raise
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise harness.ProtocolError("spawn reply without exactly one channel")
        return socket.socket(fileno=fds[0]), int(reply["pid"])

    def ask_to_kill(self, inside_pid: int) -> None:
        """Second-best way to stop a worker whose host pid is unknown (closing the sandbox kills it too)."""
        if self.control is not None:
            with contextlib.suppress(OSError):
                harness.send_frame(self.control, {"kill": inside_pid})

    def exit_status(self, inside_pid: int, wait: float) -> dict[str, Any] | None:
        """How worker ``inside_pid`` ended, as reported by the zygote (``None`` if it did not say in time)."""
        if self.control is None:
            return self.exits.get(inside_pid)
        try:
            return self.read_control(time.monotonic() + wait, until_exit=inside_pid)
        except (TimeoutError, EOFError, OSError, harness.ProtocolError):
            return self.exits.get(inside_pid)

    def close(self) -> None:
        """Kill every process of the sandbox and delete its directory."""
        if self.control is not None:
            self.control.close()
            self.control = None
        self._finalizer()


_POOL_LOCK = threading.Lock()
_IDLE_HOSTS: dict[tuple[str, Limits], list[_Host]] = {}
_EXIT_HOOK_PID = 0


def _reuse_possible(isolation: str) -> bool:
    """Whether finished submissions may hand their sandbox to the next one (see docs/security.md)."""
    return (
        isolation == "bwrap"
        and os.environ.get(REUSE_ENV, "1").strip() != "0"
        and harness.landlock_abi() >= 1
        and harness._seccomp_program(platform.machine(), 1) is not None
    )


def _acquire_host(limits: Limits, isolation: str) -> _Host:
    if _reuse_possible(isolation):
        with _POOL_LOCK:
            idle = _IDLE_HOSTS.get((isolation, limits), [])
            while idle:
                host = idle.pop()
                if host.alive():
                    return host
                host.close()
    return _Host(limits, isolation)


def _forget_inherited_hosts() -> None:
    """In a forked child: the parent's idle sandboxes are not ours to use or to stop."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _IDLE_HOSTS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_hosts)


def _release_host(host: _Host) -> None:
    global _EXIT_HOOK_PID
    if _EXIT_HOOK_PID != os.getpid():
        # A multiprocessing worker (--jobs) leaves through os._exit, which skips atexit; it runs the
        # finalizers registered in it, though (not those inherited from its parent).
        multiprocessing.util.Finalize(None, close_idle_sandboxes, exitpriority=10)
        _EXIT_HOOK_PID = os.getpid()
    with _POOL_LOCK:
        idle = _IDLE_HOSTS.setdefault((host.isolation, host.limits), [])
        if len(idle) < MAX_IDLE_HOSTS:
            idle.append(host)
            return
    host.close()


@atexit.register
def close_idle_sandboxes() -> None:
    """Stop every idle sandbox kept for reuse (also run at interpreter exit)."""
    with _POOL_LOCK:
        hosts = [host for idle in _IDLE_HOSTS.values() for host in idle]
        _IDLE_HOSTS.clear()
    for host in hosts:
        host.close()


class SubmissionSandbox:
    """The sandbox of one submission: a zygote in namespaces forks one worker per exercise (context manager).

    In the strong mode, where Landlock and the seccomp filter also confine every worker, a finished
    submission hands its running sandbox to the next one (its workers killed and confirmed dead, its files
    and temporary files deleted), which saves NumPy's import per submission.
    ``ACTIVATION_LAB_SANDBOX_REUSE=0`` turns that off.
    """

    def __init__(
        self, files: Mapping[str, str], limits: Limits | None = None, isolation: str | None = None
    ) -> None:
        for name in files:
            if not FILE_NAME.fullmatch(name) or name[:-3] in RESERVED_MODULES:
                raise ValueError(f"not a student module file name: {name!r}")
        self.files = dict(files)
        self.limits = limits or Limits()
        self.isolation = isolation or detect_isolation()
        if self.isolation not in ISOLATIONS:
            raise ValueError(f"unknown isolation {self.isolation!r}")
        self.weak = not is_strong(self.isolation)
        self.startup_seconds: float | None = None
        self.reused: bool | None = None  # whether this submission ran in a sandbox that served an earlier one
        self._host: _Host | None = None
        self._root: Path | None = None  # this submission's files, outside the sandbox
        self._work_inside = ""
        self._tmp_inside = ""
        self._spawned: list[int] = []
        self._students: dict[str, SandboxedStudent] = {}
        self._ready = False
        self._closed = False
        self._opened_at = 0.0

    def __enter__(self) -> SubmissionSandbox:
        self._launch()  # NumPy imports in the sandbox while the caller prepares its suites
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- life cycle ----------------------------------------------------------------------------------

    def open(self, module_name: str) -> SandboxedStudent:
        """The student's module ``module_name`` (e.g. ``"sigmoid"``); its worker starts on first use."""
        if f"{module_name}.py" not in self.files:
            raise ValueError(f"the submission has no file {module_name}.py")
        if module_name not in self._students:
            self._students[module_name] = SandboxedStudent(self, module_name)
        return self._students[module_name]

    def _launch(self) -> None:
        """Find or start a sandbox and write this submission's files into it, without waiting for NumPy."""
        if self._host is not None:
            return
        if self._closed:
            raise SandboxError("this sandbox is closed")
        self._opened_at = time.monotonic()
        host = _acquire_host(self.limits, self.isolation)
        self._host = host
        self.reused = host.served > 0
        submission_id = uuid.uuid4().hex[:16]
        work = host.root / "subs" / submission_id
        work.mkdir()
        self._root = work
        for name, text in self.files.items():
            (work / name).write_text(text, encoding="utf-8")
            (work / name).chmod(0o444)
        work.chmod(0o555)  # read-only in the fallback modes too (bubblewrap also mounts it read-only)
        self._work_inside = f"{host.subs_inside}/{submission_id}"
        self._tmp_inside = f"{host.tmp_inside}/{submission_id}"

    def _ensure_started(self) -> None:
        """Launch if needed, wait for the zygote, and have it import what this submission's files mention."""
        if self._ready:
            return
        self._launch()
        assert self._host is not None
        self._host.wait_ready()
        missing = [name for name in _preloads(self.files.values()) if name not in self._host.preloaded]
        if missing:
            try:
                self._host.ask(
                    {"preload": missing}, "preloaded", time.monotonic() + self.limits.startup_seconds
                )
            except (TimeoutError, EOFError, OSError, harness.ProtocolError) as exc:
                self._host.close()
                raise SandboxError(
                    f"the sandbox ({self.isolation}) failed while preloading: {exc!r}"
                ) from None
            self._host.preloaded.update(missing)
        self._ready = True
        self.startup_seconds = time.monotonic() - self._opened_at

    def close(self) -> None:
        """Kill this submission's processes and delete its files; hand a clean sandbox on, or stop it."""
        if self._closed:
            return
        self._closed = True
        for student in self._students.values():
            student._shut()
        host = self._host
        if host is None:
            return
        reusable = self._ready and host.alive() and _reuse_possible(self.isolation)
        reusable = reusable and all(
            s.seccomp is True and s.landlock is True for s in self._students.values() if s._started
        )
        if reusable:  # every worker must be confirmed dead and every temporary file gone
            deadline = time.monotonic() + EXIT_WAIT_SECONDS
            for pid in self._spawned:
                if host.exit_status(pid, max(0.0, deadline - time.monotonic())) is None:
                    reusable = False
                    break
            if reusable:
                try:
                    host.ask({"cleanup": self._tmp_inside}, "cleaned", time.monotonic() + EXIT_WAIT_SECONDS)
                except (TimeoutError, EOFError, OSError, harness.ProtocolError):
                    reusable = False
        for pid in self._spawned:
            host.exits.pop(pid, None)
        if self._root is not None:
            with contextlib.suppress(OSError):
                self._root.chmod(0o755)
            shutil.rmtree(self._root, ignore_errors=True)
        host.served += 1
        if reusable and host.served < MAX_SUBMISSIONS_PER_SANDBOX:
            _release_host(host)
        else:
            host.close()

    # -- what the workers need ------------------------------------------------------------------------

    def _spawn(self, module_name: str, deadline: float) -> tuple[socket.socket, int]:
        """Ask the zygote for a worker; returns its channel and its pid inside the sandbox."""
        self._ensure_started()
        assert self._host is not None
        channel, inside_pid = self._host.spawn(module_name, self._work_inside, self._tmp_inside, deadline)
        self._spawned.append(inside_pid)
        return channel, inside_pid

    def _ask_zygote_to_kill(self, inside_pid: int) -> None:
        if self._host is not None:
            self._host.ask_to_kill(inside_pid)

    def _exit_status(self, inside_pid: int, wait: float) -> dict[str, Any] | None:
        return self._host.exit_status(inside_pid, wait) if self._host is not None else None


def _tear_down(process: subprocess.Popen[bytes], root: Path, owner: int) -> None:
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


# ----------------------------------------------------------------------------------------------------
# One exercise's worker, seen through the StudentCode protocol


class SandboxedStudent:
    """A student module living in a sandboxed worker process; implements ``StudentCode``."""

    def __init__(self, sandbox: SubmissionSandbox, module_name: str) -> None:
        self.sandbox = sandbox
        self.module_name = module_name
        self.budget_left = sandbox.limits.exercise_seconds
        self.seccomp: bool | None = None  # whether the worker runs under the seccomp filter
        self.landlock: bool | None = None  # whether Landlock confines the worker's file access
        self.import_stdout = ""
        self.call_count = 0
        self._channel: socket.socket | None = None
        self._inside_pid: int | None = None
        self._host_pid: int | None = None
        self._pidfd: int | None = None
        self._started = False
        self._import_error: Raised | None = None
        self._aborted: ExerciseAborted | None = None
        self._defines: dict[str, bool] = {}
        self._request_id = 0

    # -- StudentCode ---------------------------------------------------------------------------------

    @property
    def import_error(self) -> Raised | None:
        """Why the module failed to import; raises ``ExerciseAborted`` if importing hit a limit or crashed."""
        self._start()
        return self._import_error

    def defines(self, name: str) -> bool:
        """Whether the module defines a callable ``name``."""
        self._start()
        if self._import_error is not None:
            return False
        if name not in self._defines:
            reply = self._request({"defines": True, "name": name}, self.sandbox.limits.call_seconds)
            self._defines[name] = reply.get("defines") is True
        return self._defines[name]

    def call(self, name: str, *args: Any) -> CallResult:
        """Call ``name(*args)`` in the worker; arguments cross as copies, the result comes back as data."""
        if not self.defines(name):
            raise AttributeError(f"{self.module_name} defines no function {name!r}")
        encoded = [harness.encode_value(a, max_array_bytes=self.sandbox.limits.array_bytes) for a in args]
        if '"opaque"' in json.dumps(encoded):
            raise TypeError(f"arguments of {name}() must be numbers, NumPy scalars or arrays")
        self.call_count += 1
        reply = self._request({"name": name, "args": encoded}, self.sandbox.limits.call_seconds)
        return self._call_result(reply)

    @property
    def aborted(self) -> ExerciseAborted | None:
        """The abort that ended this worker, if any."""
        return self._aborted

    # -- worker life cycle ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._aborted is not None:
            raise self._aborted
        if self._started:
            return
        self._started = True
        began = time.monotonic()
        deadline = began + self.budget_left
        try:
            self._channel, self._inside_pid = self.sandbox._spawn(self.module_name, deadline)
            ancillary: list[Any] = []
            hello = _recv_until(self._channel, deadline, 1 << 12, ancillary)
            for fd in _received_fds(ancillary):
                os.close(fd)
            if hello != {"hello": self.module_name}:
                raise harness.ProtocolError("bad hello from worker")
            self._host_pid = _sender_pid(ancillary)
            if self._host_pid is not None:
                with contextlib.suppress(OSError, AttributeError):
                    self._pidfd = os.pidfd_open(self._host_pid)
            ready = _recv_until(self._channel, deadline, self.sandbox.limits.message_bytes)
        except TimeoutError:
            self._fail("timeout", "import took too long")
        except (EOFError, OSError, harness.ProtocolError) as exc:
            self._fail_after_death(exc)
        finally:
            self.budget_left -= time.monotonic() - began
        try:
            if ready.get("ready") is not True:
                raise harness.ProtocolError("bad ready message")
            error = ready.get("import_error")
            raised = None if error is None else _raised(error)
            self.import_stdout = str(ready.get("stdout", ""))[: self.sandbox.limits.output_bytes]
        except Exception as exc:  # anything malformed in untrusted data is a protocol violation
            self._fail("error", f"protocol violation: {exc}")
        self.seccomp = ready.get("seccomp") is True
        self.landlock = ready.get("landlock") is True
        if raised is not None and raised.type == "MemoryError":
            self._fail("memory", f"MemoryError while importing {self.module_name}.py")
        self._import_error = raised

    def _request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        self._start()
        assert self._channel is not None
        self._request_id += 1
        ident = self._request_id
        began = time.monotonic()
        deadline = began + min(seconds, self.budget_left)
        try:
            harness.send_frame(self._channel, {**message, "id": ident})
            reply = _recv_until(self._channel, deadline, self.sandbox.limits.message_bytes)
        except TimeoutError:
            self.budget_left -= time.monotonic() - began
            over_budget = self.budget_left <= 0
            self._fail("timeout", "exercise time budget used up" if over_budget else "call took too long")
        except (EOFError, OSError, harness.ProtocolError) as exc:
            self._fail_after_death(exc)
        self.budget_left -= time.monotonic() - began
        if not isinstance(reply, dict) or reply.get("id") != ident:
            self._fail("error", "protocol violation: reply does not answer the request")
        if "defines" in message and type(reply.get("defines")) is not bool:
            self._fail("error", "protocol violation: bad reply to defines")
        raised = reply.get("raised")
        if isinstance(raised, dict) and raised.get("type") == "MemoryError":
            self._fail("memory", f"MemoryError in {message.get('name')}()")
        return reply

    def _call_result(self, reply: dict[str, Any]) -> CallResult:
        limits = self.sandbox.limits
        try:
            value = (
                harness.decode_value(reply["ok"], max_array_bytes=limits.array_bytes)
                if "ok" in reply
                else None
            )
            raised = _raised(reply["raised"]) if "raised" in reply else None
            args_after = tuple(
                harness.decode_value(a, max_array_bytes=limits.array_bytes) for a in reply["args_after"]
            )
            warned = tuple(str(w)[:500] for w in reply.get("warnings", [])[: harness.WARNINGS_CAP])
            stdout = str(reply.get("stdout", ""))[: limits.output_bytes + 100]
        except Exception as exc:  # anything malformed in untrusted data is a protocol violation
            self._fail("error", f"protocol violation: {type(exc).__name__}: {str(exc)[:200]}")
        if "ok" not in reply and raised is None:
            self._fail("error", "protocol violation: neither a value nor an exception")
        return CallResult(value=value, raised=raised, args_after=args_after, warnings=warned, stdout=stdout)

    def _fail_after_death(self, cause: BaseException) -> NoReturn:
        """The channel broke: find out how the worker ended and raise the matching ``ExerciseAborted``."""
        if isinstance(cause, harness.ProtocolError):  # the worker is alive and lying: no exit to wait for
            self._fail("error", f"protocol violation: {cause}")
        status = self.sandbox._exit_status(self._inside_pid, EXIT_WAIT_SECONDS) if self._inside_pid else None
        if status is None:
            self._fail("error", "crashed: the worker vanished")
        if "signal" in status:
            number = int(status["signal"])
            if number == signal.SIGXCPU:
                self._fail("timeout", "CPU time limit exceeded")
            self._fail("error", f"crashed: {_signal_name(number)}")
        self._fail("error", f"exited with code {status.get('code')}", "exited")

    def _fail(self, status: str, detail: str, key: str | None = None) -> NoReturn:
        """Kill the worker and raise ``ExerciseAborted`` (with ``message_key`` naming its catalogue entry)."""
        if key is None:
            key = "protocol" if detail.startswith("protocol violation") else _ABORT_KEYS[status]
        aborted = ExerciseAborted(status, detail)
        aborted.message_key = key  # type: ignore[attr-defined]
        aborted.module = self.module_name  # type: ignore[attr-defined]
        aborted.limits = self.sandbox.limits  # type: ignore[attr-defined]
        self._aborted = aborted
        self._shut()
        raise aborted

    def _shut(self) -> None:
        """Kill the worker (by pidfd or host pid, never trusting the zygote) and close its channel."""
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            os.close(self._pidfd)
            self._pidfd = None
        elif self._host_pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._host_pid, signal.SIGKILL)
        elif self._inside_pid is not None:  # the kernel did not tell us its pid: ask the zygote instead
            self.sandbox._ask_zygote_to_kill(self._inside_pid)
        self._host_pid = None
        self._inside_pid = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None


_ABORT_KEYS = {"timeout": "timeout", "memory": "memory", "error": "crashed"}


def abort_message(aborted: ExerciseAborted, lang: str, limits: Limits | None = None) -> str:
    """The student-facing explanation of an ``ExerciseAborted`` raised by this sandbox, in ``lang``."""
    limits = limits or getattr(aborted, "limits", None) or Limits()
    key = getattr(aborted, "message_key", None) or _ABORT_KEYS.get(aborted.status, "crashed")
    return message(
        "sandbox",
        f"abort.{key}",
        lang,
        module=getattr(aborted, "module", "?"),
        detail=aborted.detail,
        seconds=f"{limits.exercise_seconds:g}",
        call_seconds=f"{limits.call_seconds:g}",
        megabytes=limits.memory_bytes >> 20,
    )


def isolation_warning(isolation: str, lang: str) -> str | None:
    """The loud warning to show when grading ran without the strong sandbox, or ``None`` when it did not."""
    return None if is_strong(isolation) else message("sandbox", "weak_isolation", lang, isolation=isolation)


def _raised(data: Any) -> Raised:
    if not isinstance(data, dict):
        raise harness.ProtocolError("exception description is not an object")
    return Raised(
        type=str(data.get("type", "?"))[:200],
        message=str(data.get("message", ""))[: harness.TEXT_CAP + 10],
        traceback=str(data.get("traceback", ""))[: harness.TEXT_CAP + 10],
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
