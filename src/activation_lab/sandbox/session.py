"""One submission's sandbox, and its student modules seen through the ``StudentCode`` protocol.

A :class:`SubmissionSandbox` takes a running sandbox from the pool (``pool.py``), writes the whitelisted
student files into it, and opens one :class:`SandboxedStudent` per exercise, whose worker (forked by the
zygote, or handed on by the previous exercise: ``SandboxedStudent._take_over``) imports the student's module
and answers calls as plain data (``wire.py``). Deadlines, budgets and
kills are enforced here, in the trusted parent, which never imports student code. ``docs/security.md``
describes the model and its limits.

Why one long module: every deadline, budget and kill decision about a running student call is made here,
in one place a security reviewer reads whole.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import shutil
import signal
import socket
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from activation_lab.errors import ExerciseAborted
from activation_lab.records import CallResult, Opaque, Raised
from activation_lab.sandbox import pool, wire
from activation_lab.sandbox.cgroup import memory_controller
from activation_lab.sandbox.host import RunningSandbox, received_fds, sender_pid
from activation_lab.sandbox.isolation import (
    FORCE_ENV,
    ISOLATIONS,
    STRONG_ENV,
    detect_isolation,
    is_strong,
    probe,
)
from activation_lab.sandbox.limits import Limits, SandboxError
from activation_lab.sandbox.pool import REUSE_ENV, close_idle_sandboxes
from activation_lab.sandbox.texts import ABORT_KEYS, abort_message, isolation_warning, signal_name

__all__ = ["FORCE_ENV", "REUSE_ENV", "STRONG_ENV", "Limits", "SandboxError", "SandboxedStudent"]
__all__ += ["SubmissionSandbox", "abort_message", "close_idle_sandboxes", "detect_isolation", "is_strong"]
__all__ += ["isolation_warning", "memory_controller"]

_probe = probe  # the name the tests use
FILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.py")
PLAIN_TEXT = re.compile(r"[A-Za-z0-9+/=._<>|-]*")  # base64, dtypes, float spellings: one byte each in JSON
EXIT_WAIT_SECONDS = 2.0
SHARE_ENV = "ACTIVATION_LAB_SANDBOX_SHARE"  # "0": a fresh worker for every exercise (no hand-overs)
MAX_EXERCISES_PER_WORKER = 8  # the worker's own bound (worker.MAX_MODULES) is the same
# Names a student file may never take: the sandbox's own modules, and the start-up hooks of Python and pytest.
RESERVED_MODULES = frozenset(
    {*sys.stdlib_module_names, "numpy", "matplotlib", "worker", "wire", "confine"}
    | {"sitecustomize", "usercustomize", "conftest"}
)


def preloads(sources: Any) -> list[str]:
    """Heavy libraries the zygote imports once for all workers, when a student file mentions them.

    Only the text is searched; student code never runs outside a worker. Slide-style files plot with
    ``matplotlib.pyplot`` at import time, which would otherwise cost about a second per exercise.
    """
    if any("matplotlib" in text or "pylab" in text for text in sources):
        return ["matplotlib", "matplotlib.pyplot"]
    return []


def wire_text(text: Any, cap: int) -> str:
    """A text field of a reply, capped (``ProtocolError`` if it is not text)."""
    if type(text) is not str:
        raise wire.ProtocolError("text field is not text")
    return text[:cap]


def decode(data: Any, limits: Limits) -> Any:
    """A value from the wire, as the suites see it (anything that is not plain data becomes ``Opaque``).

    The shapes nearly every reply carries (a float, a float NumPy scalar, an array) are decoded here without
    the general decoder's dispatch, by the same checks: ``wire.decode_value`` gives the same value or error.
    """
    kind = type(data)
    if kind is float or kind is bool or data is None:
        return data
    if kind is dict and len(data) == 3:
        if "raw" in data and "dtype" in data and "shape" in data:  # no other kind's key: an array
            return wire._load_raw(data["raw"], data["dtype"], data["shape"], limits.array_bytes)
        item = data.get("value")
        if type(item) is str and len(item) <= 64 and "scalar" in data and "char" in data:
            code = data["scalar"], data["char"]  # a float NumPy scalar: its value is its repr
            if type(code[0]) is str and type(code[1]) is str:
                scalar_type = _float_scalar_types().get(code)
                if scalar_type is not None:
                    return scalar_type(float(item))
    return wire.decode_value(data, max_array_bytes=limits.array_bytes, opaque=Opaque)


@functools.cache
def _float_scalar_types() -> dict[tuple[str, str], Any]:
    """``(dtype.str, type code)`` of the float NumPy scalars whose value is sent as text, with their types.

    Exactly the pairs whose ``{"scalar", "char", "value": text}`` the decoder turns into
    ``dtype.type(float(text))`` (a float of at most 8 bytes: ``wire._Decoder.scalar``), found as it checks
    them.
    """
    import numpy

    found: dict[tuple[str, str], Any] = {}
    for char in numpy.typecodes["Float"]:
        dtype = numpy.dtype(char)
        if dtype.kind == "f" and dtype.itemsize <= 8 and wire.DTYPE_STR.fullmatch(dtype.str):
            found[(dtype.str, char)] = dtype.type
    return found


def callable_names(data: Any) -> frozenset[str] | None:
    """The worker's ``"callables"`` (``None``: too many, ask per name); ``ProtocolError`` if malformed."""
    if data is None:
        return None
    if type(data) is not list or len(data) > wire.MAX_CALLABLES:
        raise wire.ProtocolError("callables are not a short list")
    for name in data:
        if type(name) is not str or len(name) > wire.NAME_CHARS or not name.isidentifier():
            raise wire.ProtocolError("a callable name is not a short identifier")
    return frozenset(data)


def encoded_size(data: Any) -> int:
    """An upper bound of the bytes ``data`` (encoded arguments) takes in a JSON frame, without encoding it."""
    kind = type(data)
    if kind is str:
        return _text_size(data)
    total = 2
    if kind is dict:  # loops, not sum() over generators: this runs for every argument of every call
        for key, value in data.items():  # keys such as "dtype" and texts cost no recursion
            if type(key) is str and key.isascii() and key.isalnum():
                total += 6 + len(key)  # 4 + _text_size(key)
            else:
                total += 4 + encoded_size(key)
            item = type(value)
            if item is str:
                total += _text_size(value)
            elif item is dict or item is list:
                total += encoded_size(value)
            else:
                total += 330
        return total
    if kind is list:  # a number or an array's shape costs no call (what the general case would give)
        for value in data:
            item = type(value)
            if item is dict or item is list or item is str:
                total += 1 + encoded_size(value)
            else:
                total += 331
        return total
    return 330  # a number: an int of wire.MAX_INT_BITS bits has 309 digits


# The parts of the common reply to a call (``_call_result``'s fast path); JSON gives only dicts, lists and str
# that compare equal to these
_NOTHING_CHANGED: dict[str, dict[str, Any]] = {wire.ARGS_CHANGED: {}}
_NO_WARNINGS: list[str] = []


def batch_calls(name: str, arg_lists: Sequence[tuple[Any, ...]], limits: Limits) -> list[dict[str, Any]]:
    """The calls of one request: ``arg_lists`` encoded, up to the first with an opaque argument (excluded) or
    the first that takes the request past half a frame's cap (excluded, unless it is the first).

    The sizes are ``encoded_size``'s; while a cheap upper bound of the request (``_size_bound``) is within
    the cap, no call can pass it, so the exact sizes are added up only once the bound comes near the cap,
    and from then on: the same calls as with exact sizes throughout, each exact size taken at most once.
    """
    cap = limits.message_bytes // 2
    chunk: list[dict[str, Any]] = []
    size = 0  # the request's size so far: an upper bound, exact once ``exact``
    exact = False
    for args in arg_lists:
        encoded = [wire.encode_value(a, max_array_bytes=limits.array_bytes) for a in args]
        if _may_hold_opaque(encoded) and wire.has_opaque(encoded):
            break  # raised when the caller reaches this call, as call() would
        if exact:
            grown = encoded_size(encoded) + 64
        else:
            grown = _size_bound(encoded) + 64
            if chunk and size + grown > cap:  # it might pass the cap: the exact sizes decide
                size = sum(encoded_size(call["args"]) + 64 for call in chunk)
                grown = encoded_size(encoded) + 64
                exact = True
        size += grown
        if chunk and size > cap:
            break
        chunk.append({"name": name, "args": encoded})
    return chunk


def _size_bound(encoded: list[Any]) -> int:
    """At least ``encoded_size(encoded)``: an array's texts counted as if every character were escaped.

    ``encoded_size`` looks at every character of an array's base64 text; this only at its length.
    """
    total = 2
    for item in encoded:
        kind = type(item)
        if kind is dict and len(item) == 3:
            dtype, shape, raw = item.get("dtype"), item.get("shape"), item.get("raw")
            if type(dtype) is str and type(raw) is str and type(shape) is list:
                # 1 + {2 + "dtype": text (11 + 2 + 6n) + "shape": list (11 + size) + "raw": text (9 + 2 + 6n)}
                total += 38 + 6 * (len(dtype) + len(raw)) + encoded_size(shape)
                continue
        if kind is dict or kind is list or kind is str:
            total += 1 + encoded_size(item)
        else:
            total += 331
    return total


def _may_hold_opaque(encoded: list[Any]) -> bool:
    """``False`` when ``wire.has_opaque(encoded)`` is surely ``False``: no argument is a list or a container.

    Numbers and arrays (``{"dtype", "shape", "raw"}``) are all a batch of calls usually sends.
    """
    for item in encoded:
        kind = type(item)
        if kind is list or (kind is dict and ("opaque" in item or "list" in item or "tuple" in item)):
            return True
    return False


def _text_size(text: str) -> int:
    """``encoded_size`` of a text: one byte a character when no character needs escaping, else six."""
    plain = (text.isascii() and text.isalnum()) or PLAIN_TEXT.fullmatch(text)  # "dtype": no regex
    return 2 + (len(text) if plain else 6 * len(text))


@dataclass(slots=True)
class _Batch:
    """The replies of one ``{"calls"}`` request: how many were sent, how many read, when the last came."""

    ident: int
    name: str
    count: int
    last: float  # when the request was sent or the previous reply arrived: the next call's time starts
    read: int = 0
    done: bool = False  # every reply read, or one that raised (the worker stops there)


class SubmissionSandbox:
    """The sandbox of one submission: a zygote in namespaces forks its worker(s) (context manager).

    In the strong mode a finished submission hands its running sandbox to the next one when ``pool.py``
    finds that sound, which saves NumPy's import per submission. ``ACTIVATION_LAB_SANDBOX_REUSE=0`` turns
    that off.
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
        self._host: RunningSandbox | None = None
        self._root: Path | None = None  # this submission's files, outside the sandbox
        self._work_inside = ""
        self._tmp_inside = ""
        self._spawned: list[int] = []  # every worker started for this submission (pids inside the sandbox)
        self._killed: list[int] = []  # pidfds of the workers killed, kept until their exit is confirmed
        self._pending: tuple[int, list[SandboxedStudent], int] | None = None  # prestart's unread request
        self._students: dict[str, SandboxedStudent] = {}
        self._holder: SandboxedStudent | None = None  # the exercise whose worker the next one may take on
        self.handed_on = 0  # exercises that took on the previous exercise's worker
        self.refused = 0  # hand-overs the worker refused (``changed``): a fresh worker instead
        self._ready = False
        self._closed = False
        self._tainted = False  # something happened that forbids handing the sandbox on
        self._opened_at = 0.0

    def __enter__(self) -> SubmissionSandbox:
        self._launch()  # NumPy imports in the sandbox while the caller prepares its suites
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def workers_started(self) -> int:
        """How many workers this submission has started (one, unless an exercise ended or changed one)."""
        return len(self._spawned)

    @property
    def memory_bound(self) -> str:
        """``"cgroup"``: the submission's memory is bounded as a whole; ``"rlimit"``: per worker only."""
        self._launch()
        assert self._host is not None
        return self._host.memory_bound

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
        # a new zygote imports what the files mention as it starts, so matplotlib's import overlaps too
        host = pool.acquire(self.limits, self.isolation, preloads(self.files.values()))
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

    def _ensure_started(self) -> RunningSandbox:
        """Launch if needed, wait for the zygote, and have it import what this submission's files mention."""
        self._launch()
        host = self._host
        assert host is not None
        if self._ready:
            return host
        host.wait_ready()
        missing = [name for name in preloads(self.files.values()) if name not in host.preloaded]
        if missing:
            try:
                host.ask({"preload": missing}, "preloaded", time.monotonic() + self.limits.startup_seconds)
            except (TimeoutError, EOFError, OSError, wire.ProtocolError) as exc:
                host.close()
                raise SandboxError(
                    f"the sandbox ({self.isolation}) failed while preloading: {exc!r}"
                ) from None
            host.preloaded.update(missing)
        self._ready = True
        self.startup_seconds = time.monotonic() - self._opened_at
        return host

    def prestart(self, module_names: list[str]) -> bool:
        """Ask for the worker of the first of these modules now, without waiting, if the sandbox is ready.

        Only a sandbox whose zygote is ready and has everything preloaded (a reused one, in a batch; else
        ``False``): the worker imports while the caller does other work, and the zygote's reply is read when
        that exercise is used. Nothing else changes: the worker's hello and ready are read with its own
        deadline and budget, and the other exercises take it on in turn.
        """
        self._launch()
        host = self._host
        assert host is not None
        if self._pending is not None or self._closed or not host.ready or not host.alive():
            return False
        if any(name not in host.preloaded for name in preloads(self.files.values())):
            return False
        batch = [s for s in map(self.open, module_names) if s._wants_worker()][:1]
        if not batch:
            return False
        self._ready = True
        self.startup_seconds = time.monotonic() - self._opened_at
        oom_kills = host.cgroup.oom_kills() if host.cgroup is not None else 0  # before any worker runs
        ident = host.request_spawn([s.module_name for s in batch], self._work_inside, self._tmp_inside)
        for student in batch:
            student._requested = True
        self._pending = (ident, batch, oom_kills)
        return True

    def _receive_pending(self, deadline: float) -> None:
        """Read the reply to ``prestart``'s request; if that fails, the sandbox is never handed on."""
        if self._pending is None:
            return
        ident, batch, oom_kills = self._pending
        self._pending = None
        host = self._host
        assert host is not None
        for student in batch:
            student._requested = False
        try:
            spawned = host.receive_spawn(ident, len(batch), deadline)
        except BaseException:
            self._tainted = True  # workers we know nothing of may run: only stopping the sandbox ends them
            raise
        self._assign(batch, spawned, oom_kills)

    def _spawn_for(self, first: SandboxedStudent, deadline: float) -> None:
        """Start a fresh worker for ``first`` (it may take on the following exercises: ``_take_over``)."""
        self._receive_pending(deadline)
        if first._channel is not None:
            return
        host = self._host
        assert host is not None
        oom_kills = host.cgroup.oom_kills() if host.cgroup is not None else 0
        spawned = host.spawn([first.module_name], self._work_inside, self._tmp_inside, deadline)
        self._assign([first], spawned, oom_kills)

    def _assign(
        self, batch: list[SandboxedStudent], spawned: list[tuple[socket.socket, int]], oom_kills: int
    ) -> None:
        for student, (channel, pid) in zip(batch, spawned, strict=True):
            student._channel, student._inside_pid, student._oom_kills = channel, pid, oom_kills
            student._had_worker = True
            self._spawned.append(pid)

    def close(self) -> None:
        """Kill this submission's processes and delete its files; hand a clean sandbox on, or stop it."""
        if self._closed:
            return
        self._closed = True
        try:
            with contextlib.suppress(Exception):  # workers asked for and never used: kill them too
                self._receive_pending(time.monotonic() + EXIT_WAIT_SECONDS)
            for student in self._students.values():
                student._shut()
            host = self._host
            if host is None:
                return
            if self._root is not None:
                with contextlib.suppress(OSError):
                    self._root.chmod(0o755)
                shutil.rmtree(self._root, ignore_errors=True)
            host.served += 1
            if self._reusable(host):
                pool.release(host)
            else:
                host.close()
        finally:
            for pidfd in self._killed:
                os.close(pidfd)
            self._killed.clear()

    def _reusable(self, host: RunningSandbox) -> bool:
        """Whether ``host`` may serve another submission: every check of ``pool.py``'s docstring passes."""
        if not (self._ready and not self._tainted and host.alive() and pool.reuse_allowed(self.isolation)):
            return False
        touched = [s for s in self._students.values() if s._started or s._had_worker]
        if not host.confines_every_worker() or not all(s.seccomp and s.landlock for s in touched):
            return False  # a worker that never said it was confined (or never said ready) is not vouched for
        deadline = time.monotonic() + EXIT_WAIT_SECONDS
        if not host.close_submission(self._tmp_inside, self._spawned, deadline):
            return False
        return _all_exited(self._killed, deadline)  # the kernel confirms too, not only the zygote


def _all_exited(pidfds: list[int], deadline: float) -> bool:
    """Whether every process behind ``pidfds`` has exited (a pidfd turns readable then), by ``deadline``."""
    waiting = set(pidfds)
    poller = select.poll()
    for fd in waiting:
        poller.register(fd, select.POLLIN)
    while waiting:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        for fd, _ in poller.poll(remaining * 1000):
            waiting.discard(fd)
            poller.unregister(fd)
    return True


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
        self._oom_kills = 0  # the sandbox cgroup's count when this worker started
        self._started = False
        self._had_worker = False  # a worker was started for this module (it may never have said hello)
        self._requested = False  # its worker is in a spawn request whose reply is not read yet
        self._exercises = 0  # exercises the current worker has taken on, this one included
        self._import_error: Raised | None = None
        self._aborted: ExerciseAborted | None = None
        self._defines: dict[str, bool] = {}
        self._callables: frozenset[str] | None = None  # from the ready message: no round trip to ask
        self._request_id = 0
        self._frames: wire.FrameReader | None = None  # replies after the ready message (hello/ready: _start)
        self._batch: _Batch | None = None  # the last batch, whose unread replies are drained before anything
        self._speculate = True  # send a batch's calls together; off once a call nobody asked for went wrong
        # uncharged time this exercise may spend draining calls nobody asked for, all batches together
        self._speculation_left = sandbox.limits.call_seconds

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
            if self._callables is not None and name in self._callables:
                self._defines[name] = True
            else:  # not callable at import, or too many names: ask (a later call may have defined it)
                reply = self._request({"defines": True, "name": name}, self.sandbox.limits.call_seconds)
                self._defines[name] = reply.get("defines") is True
        return self._defines[name]

    def call(self, name: str, *args: Any) -> CallResult:
        """Call ``name(*args)`` in the worker; arguments cross as copies, the result comes back as data."""
        if not self.defines(name):
            raise AttributeError(f"{self.module_name} defines no function {name!r}")
        encoded = [wire.encode_value(a, max_array_bytes=self.sandbox.limits.array_bytes) for a in args]
        if wire.has_opaque(encoded):
            raise TypeError(f"arguments of {name}() must be numbers, NumPy scalars or arrays")
        self.call_count += 1
        reply = self._request({"name": name, "args": encoded}, self.sandbox.limits.call_seconds)
        return self._call_result(reply, args)

    def calls(self, name: str, arg_lists: Sequence[tuple[Any, ...]]) -> Iterator[CallResult]:
        """``call(name, *args)`` for each ``args`` in order, sent together (``StudentCode.calls``).

        One request carries up to ``wire.MAX_BATCH_CALLS`` calls; the worker answers each as it finishes and
        stops after the first that raises. Each reply has the per-call time limit from the one before and
        is charged to the exercise's budget when it is read. Replies the caller never reads (it stopped at
        a failed check) are drained, uncharged, before the next request (``_drain``).
        """
        if not self.defines(name):
            raise AttributeError(f"{self.module_name} defines no function {name!r}")
        limits = self.sandbox.limits
        position = 0
        while position < len(arg_lists):
            count = wire.MAX_BATCH_CALLS if self._speculate else 1
            chunk = batch_calls(name, arg_lists[position : position + count], limits)
            if not chunk:
                raise TypeError(f"arguments of {name}() must be numbers, NumPy scalars or arrays")
            batch = self._send_batch(name, chunk)
            for args in arg_lists[position : position + len(chunk)]:
                if self._batch is not batch:
                    raise RuntimeError("a batch of calls was resumed after another request")
                self.call_count += 1
                result = self._call_result(self._batch_reply(batch), tuple(args))
                yield result
                if result.raised is not None:
                    return
            position += len(chunk)

    @property
    def aborted(self) -> ExerciseAborted | None:
        """The abort that ended this worker, if any."""
        return self._aborted

    def _start(self) -> None:
        if self._aborted is not None:
            raise self._aborted
        if self._started:
            return
        self._started = True
        taken = self._channel is None and self._take_over()
        began = time.monotonic()
        deadline = began + self.budget_left
        sandbox = self.sandbox
        try:
            sandbox._ensure_started()
            if taken:
                ready = self._reader().frame(deadline)
                if not isinstance(ready, dict) or ready.get("id") != self._request_id:
                    raise wire.ProtocolError("ready message does not answer the hand-over")
            else:
                if self._channel is None:
                    sandbox._spawn_for(self, deadline)
                ready = self._hello_and_ready(deadline)
        except TimeoutError:
            self._fail("timeout", "import took too long")
        except (EOFError, OSError, wire.ProtocolError) as exc:
            self._fail_after_death(exc)
        finally:
            self.budget_left -= time.monotonic() - began
        if isinstance(ready, dict) and "limits_failed" in ready:  # the machine's fault: never a pass
            sandbox._tainted = True
            detail = (
                f"grader fault: the worker's limits could not be set ({str(ready['limits_failed'])[:300]})"
            )
            self._fail("error", detail, "limits")
        try:
            if ready.get("ready") is not True:
                raise wire.ProtocolError("bad ready message")
            error = ready.get("import_error")
            raised = None if error is None else Raised(**wire.exception_fields(error))
            self.import_stdout = wire_text(ready.get("stdout", ""), sandbox.limits.output_bytes)
            self._callables = callable_names(ready.get("callables"))
        except Exception as exc:  # anything malformed in untrusted data is a protocol violation
            self._fail("error", f"protocol violation: {exc}")
        if not taken:  # a worker says in its first ready message how it is confined
            self.seccomp = ready.get("seccomp") is True
            self.landlock = ready.get("landlock") is True
        sandbox._holder = self
        if raised is not None and raised.type == "MemoryError":
            self._fail("memory", f"MemoryError while importing {self.module_name}.py")
        self._import_error = raised

    def _hello_and_ready(self, deadline: float) -> Any:
        """A fresh worker's hello (its host pid comes with it, from the kernel) and ready messages."""
        assert self._channel is not None
        ancillary: list[Any] = []
        hello = wire.recv_frame(self._channel, 1 << 12, ancillary, deadline)
        for fd in received_fds(ancillary):
            os.close(fd)
        if hello != {"hello": self.module_name}:
            raise wire.ProtocolError("bad hello from worker")
        self._host_pid = sender_pid(ancillary)
        if self._host_pid is not None:
            with contextlib.suppress(OSError, AttributeError):
                self._pidfd = os.pidfd_open(self._host_pid)
        self._exercises = 1
        return wire.recv_frame(self._channel, self.sandbox.limits.message_bytes, None, deadline)

    def _take_over(self) -> bool:
        """Take on the worker of the submission's previous exercise, if it may go on (``True``: it did).

        The worker, asked for ``{"next": module}``, forgets the student's modules and answers
        ``{"taken": true}`` before importing this one (its ready message follows, read by ``_start`` with
        this exercise's deadline and budget). When the previous exercise left something behind (state,
        threads, timers, signals, memory, CPU time: ``worker._changed``) it answers ``{"changed": why}``;
        whatever goes wrong before ``taken`` — that, a death, a forged or a late answer — is the previous
        exercise's, which is over: its worker is killed, uncharged, and this exercise gets a fresh one.
        Either way this exercise meets what a fresh worker would show it. ``ACTIVATION_LAB_SANDBOX_SHARE=0``
        turns hand-overs off.
        """
        sandbox = self.sandbox
        holder, sandbox._holder = sandbox._holder, None
        if holder is None or holder is self or not holder._may_hand_on():
            return False
        self._channel, holder._channel = holder._channel, None
        self._frames, holder._frames = holder._frames, None
        self._inside_pid, holder._inside_pid = holder._inside_pid, None
        self._host_pid, holder._host_pid = holder._host_pid, None
        self._pidfd, holder._pidfd = holder._pidfd, None
        self.seccomp, self.landlock = holder.seccomp, holder.landlock
        self._exercises = holder._exercises + 1
        self._request_id = holder._request_id + 1
        holder._started = False  # used again, it would start afresh
        self._had_worker = True
        host = sandbox._host
        assert host is not None and self._channel is not None
        self._oom_kills = host.cgroup.oom_kills() if host.cgroup is not None else 0
        try:
            wire.send_frame(self._channel, {"id": self._request_id, "next": self.module_name})
            reply = self._reader().frame(time.monotonic() + sandbox.limits.call_seconds)
            taken = isinstance(reply, dict) and reply == {"id": self._request_id, "taken": True}
        except (TimeoutError, EOFError, OSError, wire.ProtocolError):
            taken = False
        if not taken:
            sandbox.refused += 1
            self._shut()
            return False
        sandbox.handed_on += 1
        return True

    def _may_hand_on(self) -> bool:
        """Whether this exercise's worker may take on the next: alive, unhurt, its replies all read."""
        if self._channel is None or self._aborted is not None or self._exercises >= MAX_EXERCISES_PER_WORKER:
            return False
        if os.environ.get(SHARE_ENV, "1").strip() == "0":
            return False
        if self._batch is not None and not self._batch.done:
            try:
                self._drain()  # the calls nobody asked for go first, charged to this exercise's allowance
            except ExerciseAborted:
                return False
        return self._channel is not None

    def _reader(self) -> wire.FrameReader:
        """The buffered reader of the worker's replies after its ready message (a new one per worker)."""
        assert self._channel is not None
        if self._frames is None or self._frames.sock is not self._channel:
            self._frames = wire.FrameReader(self._channel, self.sandbox.limits.message_bytes)
        return self._frames

    def _send_batch(self, name: str, calls: list[dict[str, Any]]) -> _Batch:
        self._drain()
        self._start()
        assert self._channel is not None
        self._request_id += 1
        try:
            wire.send_frame(self._channel, {"id": self._request_id, "calls": calls})
        except OSError as exc:
            self._fail_after_death(exc)
        self._batch = _Batch(self._request_id, name, len(calls), time.monotonic())
        return self._batch

    def _batch_reply(self, batch: _Batch) -> dict[str, Any]:
        """The next reply of ``batch``, with the per-call time limit from the previous one, charged."""
        began = batch.last
        deadline = began + min(self.sandbox.limits.call_seconds, self.budget_left)
        frames = self._frames
        if frames is None or frames.sock is not self._channel:
            frames = self._reader()  # asserts there is a channel
        try:
            reply = frames.frame(deadline)
        except TimeoutError:
            self._timed_out(began)
        except (EOFError, OSError, wire.ProtocolError) as exc:
            self._fail_after_death(exc)
        batch.last = time.monotonic()
        self.budget_left -= batch.last - began
        self._check_batch_reply(batch, reply)
        answer: dict[str, Any] = reply
        if "raised" in answer:
            raised = answer["raised"]
            if isinstance(raised, dict) and raised.get("type") == "MemoryError":
                self._fail("memory", f"MemoryError in {batch.name}()")
        return answer

    def _check_batch_reply(self, batch: _Batch, reply: Any) -> None:
        """Fail unless ``reply`` answers the next call of ``batch``: its request id and the next index."""
        read = batch.read
        # ``type(index) is int`` first: a float or a bool equal to the index is no index
        if (
            type(reply) is not dict  # json.loads makes no subclass of dict
            or type(index := reply.get("index")) is not int
            or index != read
            or reply.get("id") != batch.ident
        ):
            self._fail("error", "protocol violation: reply does not answer a call of the request")
        batch.read = read = read + 1
        batch.done = read == batch.count or "raised" in reply

    def _drain(self) -> None:
        """Read the replies of the last batch that nobody asked for, before the next request.

        Those calls were made only because they were sent together with calls before them; the sequential
        order would not have made them, so their time is not charged to the exercise's budget; it comes
        out of an allowance of one call's time limit per exercise, all drains together. A call that
        outlasts the allowance, crashes or hits a limit costs the student nothing: the worker is killed, the
        next request starts a fresh one (``_start``: the same module, the remaining budget, its import
        charged as the first one was), and from then on this module's calls are sent one at a time. A
        forged reply is still a protocol violation.
        """
        batch, self._batch = self._batch, None
        if batch is None or batch.done or self._channel is None:
            return
        began = time.monotonic()
        try:
            while not batch.done:
                deadline = began + self._speculation_left
                reply = self._reader().frame(deadline)
                self._check_batch_reply(batch, reply)
        except wire.ProtocolError as exc:
            self._fail("error", f"protocol violation: {exc}")
        except (TimeoutError, EOFError, OSError):
            self._shut()
            self._started = False
            self._speculate = False
        finally:
            self._speculation_left = max(0.0, self._speculation_left - (time.monotonic() - began))

    def _wants_worker(self) -> bool:
        """Opened, never started, no worker yet: the next spawn request may start its worker too."""
        return not (self._started or self._had_worker or self._requested or self._aborted)

    def _request(self, request: dict[str, Any], seconds: float) -> dict[str, Any]:
        self._drain()
        self._start()
        assert self._channel is not None
        self._request_id += 1
        ident = self._request_id
        began = time.monotonic()
        deadline = began + min(seconds, self.budget_left)
        try:
            wire.send_frame(self._channel, {**request, "id": ident})
            reply = self._reader().frame(deadline)
        except TimeoutError:
            self._timed_out(began)
        except (EOFError, OSError, wire.ProtocolError) as exc:
            self._fail_after_death(exc)
        self.budget_left -= time.monotonic() - began
        if not isinstance(reply, dict) or reply.get("id") != ident:
            self._fail("error", "protocol violation: reply does not answer the request")
        if "defines" in request and type(reply.get("defines")) is not bool:
            self._fail("error", "protocol violation: bad reply to defines")
        raised = reply.get("raised")
        if isinstance(raised, dict) and raised.get("type") == "MemoryError":
            self._fail("memory", f"MemoryError in {request.get('name')}()")
        return reply

    def _args_after(self, data: Any, sent: tuple[Any, ...]) -> tuple[Any, ...]:
        """The arguments as the call left them; ``()`` (never credited) when the worker says unknown.

        The worker returns only the arguments whose encoding changed (``{"changed": {"0": value}}``); the
        others are the parent's own values. An index out of range or anything else is a protocol violation.
        """
        if type(data) is not dict or len(data) != 1:
            raise wire.ProtocolError("arguments after the call are not described")
        if wire.ARGS_UNKNOWN in data:
            return ()
        changed = data.get(wire.ARGS_CHANGED)
        if type(changed) is not dict or len(changed) > len(sent):
            raise wire.ProtocolError("arguments after the call do not match the arguments sent")
        after = list(sent)
        for key, value in changed.items():
            if not (key.isdigit() and len(key) < 4 and int(key) < len(sent)):
                raise wire.ProtocolError("a changed argument that was not sent")
            after[int(key)] = decode(value, self.sandbox.limits)
        return tuple(after)

    def _call_result(self, reply: dict[str, Any], sent: tuple[Any, ...]) -> CallResult:
        limits = self.sandbox.limits
        # the common reply: a value, no argument changed, no warning, nothing printed. Only ``ok`` is left to
        # check (the rest is equal to what the general path accepts and gives); anything else takes that path.
        if (
            "raised" not in reply
            and "ok" in reply
            and reply.get("args_after") == _NOTHING_CHANGED
            and reply.get("stdout", "") == ""
            and reply.get("warnings", _NO_WARNINGS) == _NO_WARNINGS
        ):
            try:
                value = decode(reply["ok"], limits)
            except Exception as exc:  # the general path's message for the same value
                self._fail("error", f"protocol violation: {type(exc).__name__}: {str(exc)[:200]}")
            return CallResult(value=value, args_after=sent)
        return self._any_call_result(reply, sent)

    def _any_call_result(self, reply: dict[str, Any], sent: tuple[Any, ...]) -> CallResult:
        """The result a reply of any shape describes; a protocol violation for anything malformed."""
        limits = self.sandbox.limits
        try:
            value = decode(reply["ok"], limits) if "ok" in reply else None
            raised = Raised(**wire.exception_fields(reply["raised"])) if "raised" in reply else None
            args_after = self._args_after(reply.get("args_after"), sent)
            warnings = reply.get("warnings", [])
            if type(warnings) is not list or len(warnings) > wire.WARNINGS_CAP:
                raise wire.ProtocolError("warnings are not a short list")
            warned = tuple(wire_text(w, wire.WARNING_CHARS) for w in warnings)
            stdout = wire_text(reply.get("stdout", ""), limits.output_bytes + 100)
        except Exception as exc:  # anything malformed in untrusted data is a protocol violation
            self._fail("error", f"protocol violation: {type(exc).__name__}: {str(exc)[:200]}")
        if "ok" not in reply and raised is None:
            self._fail("error", "protocol violation: neither a value nor an exception")
        return CallResult(value=value, raised=raised, args_after=args_after, warnings=warned, stdout=stdout)

    def _timed_out(self, began: float) -> NoReturn:
        """No reply by the deadline: charge the wait since ``began`` and abort with a timeout."""
        self.budget_left -= time.monotonic() - began
        over_budget = self.budget_left <= 0
        self._fail("timeout", "exercise time budget used up" if over_budget else "call took too long")

    def _fail_after_death(self, cause: BaseException) -> NoReturn:
        """The channel broke: find out how the worker ended and raise the matching ``ExerciseAborted``."""
        if isinstance(cause, wire.ProtocolError):  # the worker is alive and lying: no exit to wait for
            self._fail("error", f"protocol violation: {cause}")
        host = self.sandbox._host
        status = host.exit_status(self._inside_pid, EXIT_WAIT_SECONDS) if host and self._inside_pid else None
        if status is None:
            self._fail("error", "crashed: the worker vanished")
        if "signal" in status:
            number = int(status["signal"])
            if number == signal.SIGXCPU:
                self._fail("timeout", "CPU time limit exceeded")
            if (
                number == signal.SIGKILL
                and host
                and host.cgroup
                and host.cgroup.oom_kills() > self._oom_kills
            ):
                mib = self.sandbox.limits.submission_memory_bytes >> 20
                detail = f"the submission's memory limit ({mib} MiB in all) was reached"
                self._fail("memory", detail, "submission_memory")
            self._fail("error", f"crashed: {signal_name(number)}")
        self._fail("error", f"exited with code {status.get('code')}", "exited")

    def _fail(self, status: str, detail: str, key: str | None = None) -> NoReturn:
        """Kill the worker and raise ``ExerciseAborted`` (with ``message_key`` naming its catalogue entry)."""
        if key is None:
            key = "protocol" if detail.startswith("protocol violation") else ABORT_KEYS[status]
        aborted = ExerciseAborted(status, detail)
        aborted.message_key = key  # type: ignore[attr-defined]
        aborted.module = self.module_name  # type: ignore[attr-defined]
        aborted.limits = self.sandbox.limits  # type: ignore[attr-defined]
        self._aborted = aborted
        self._shut()
        raise aborted

    def _shut(self) -> None:
        """Kill the worker (by pidfd or host pid, never trusting the zygote) and close its channel.

        The pidfd goes to the sandbox, which keeps it until the kernel shows the worker has exited.
        """
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            self.sandbox._killed.append(self._pidfd)
            self._pidfd = None
        elif self._host_pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._host_pid, signal.SIGKILL)
        elif self._inside_pid is not None and self.sandbox._host is not None:
            self.sandbox._host.ask_to_kill(self._inside_pid)  # the kernel did not tell us its pid
        self._host_pid = None
        self._inside_pid = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
