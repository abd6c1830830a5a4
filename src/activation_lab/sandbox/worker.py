"""The untrusted side of the grader: a stdlib+NumPy zygote that forks the workers of a submission.

This file is copied into the sandbox with ``wire.py`` and ``confine.py`` beside it and run there as
``python -I -S worker.py CONFIG_JSON``. It never imports the ``activation_lab`` package, and the parent
never imports it (tests do, to look at it).

Processes and channels::

    parent ──control socket (fd 3)──▶ zygote (imports numpy once, runs no student code)
                                        └─ fork ─▶ worker: rlimits, seccomp, Landlock, imports the student's
                                                   module, answers calls over its own socket (sent to the
                                                   parent with SCM_RIGHTS); its stdout/stderr reach no socket;
                                                   ``{"next": module}`` hands it on to the next exercise
                                                   when the last one left nothing behind (``_next``)

The zygote's first message says what confinement this machine gives (seccomp, Landlock) and its own state
(limits, scheduling, identity, SysV IPC objects); ``{"check"}`` reports that state again, and the parent
retires the sandbox on any difference before handing it to another submission. One ``{"spawn": [modules]}``
forks one worker per module (the parent asks for one per submission); one ``{"close"}`` kills and reaps
them, deletes their temporary files and reports the exits with the state. What every worker would rebuild
(the seccomp filter, the C library handle) is built once here, before the first fork (``confine.prepare``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import io
import itertools
import json
import json.encoder
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

CONTROL_FD = 3


def _beside(name: str) -> ModuleType:
    """Load ``name.py`` from this file's folder (``python -I`` puts no script folder on ``sys.path``)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(__file__), f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if __package__:  # imported by a test as activation_lab.sandbox.worker
    from . import confine, wire
else:  # inside the sandbox
    wire = _beside("wire")
    confine = _beside("confine")

landlock_abi = confine.landlock_abi  # re-exported: tests ask whether this kernel has Landlock


class CappedWriter(io.TextIOBase):
    """A ``sys.stdout`` replacement that keeps at most ``cap`` characters per call and drops the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, text: Any) -> int:
        text = text if type(text) is str else wire.safe_text(text)
        room = self.cap - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        """Return and forget what was written since the last call."""
        parts = self.parts
        if type(parts) is list and not parts and not self.size and not self.dropped:
            return ""  # nothing written since the last call (the common case): nothing to reset
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n[... {self.dropped} more characters dropped]"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


def _isolate_fds(keep: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


# ----------------------------------------------------------------------------------------------------
# The worker (one per exercise, forked from the zygote)


def run_worker(channel: socket.socket, module_name: str, config: dict[str, Any]) -> None:
    """Confine this process, import the student's module and answer calls until the channel closes.

    ``{"next": module}`` hands the process on to the submission's next exercise (``_next``): it forgets the
    student's modules and imports the next one, or says what the last exercise changed and stops.
    """
    work_dir = config["work_dir"]
    max_bytes = int(config["message_bytes"])
    max_array = int(config["array_bytes"])
    confine.die_with_parent()
    wire.send_frame(channel, {"hello": module_name})  # sent before any student code: carries our credentials
    _isolate_fds(channel.fileno())
    os.chdir(work_dir)
    sys.path.insert(0, work_dir)
    tmp_dir = config.get("tmp_dir")
    if tmp_dir:
        # item by item: MutableMapping.update costs a fresh worker twice as much (0.36 ms against 0.15)
        os.environ["HOME"] = os.environ["TMPDIR"] = tmp_dir
        os.environ["MPLCONFIGDIR"] = os.path.join(tmp_dir, "matplotlib")
    try:
        # room for the exercises this worker may take on after its first (``_changed`` says when it stops)
        shared = {"cpu_seconds": config["cpu_seconds"] + SHARED_CPU_SECONDS}
        confine.set_limits({**config, **shared, "memory_bytes": config["memory_bytes"] + SHARED_VM_BYTES})
    except confine.LimitsError as exc:  # never run student code without its limits
        wire.send_frame(channel, {"limits_failed": str(exc)[:500]})
        os._exit(71)
    proc = _Proc.open()  # before Landlock, which closes /proc to new opens
    sandboxed = confine.install_seccomp() if config.get("seccomp", True) else False
    out = CappedWriter(int(config["output_bytes"]))
    sys.stdout = sys.stderr = out
    sys.stdin = open(os.devnull)
    confined = confine.install_landlock([*config.get("readable", []), work_dir], config.get("writable", []))
    confinement = {"seccomp": sandboxed, "landlock": confined}
    start = _starting_state(proc)
    module = _import(channel, module_name, work_dir, out, confinement)
    served = 1
    while True:
        try:
            request = wire.recv_frame(channel, max_bytes)
        except (EOFError, wire.ProtocolError, OSError):
            os._exit(0)
        if type(request) is dict and "calls" in request:
            _answer_batch(channel, module, request, work_dir, max_array, out)
            continue
        if type(request) is dict and "next" in request:
            _RETIRED.append(module)  # kept, never finalized: as in a worker of its own, which is killed
            served += 1  # (a worker that has served MAX_MODULES stops: ``_next`` with no start state)
            name = _next(channel, request, start if served <= MAX_MODULES else None, work_dir, out)
            # imported from here, as the first module: at the same stack depth (a recursion at import
            # reached one frame less after a hand-over)
            module = _import(channel, name, work_dir, out, confinement, request.get("id"))
            continue
        try:
            reply = _answer(module, request, work_dir, max_array, out)
        except BaseException as exc:
            ident = request.get("id") if type(request) is dict else None
            reply = {"id": ident, "raised": wire.describe_exception(exc, work_dir)}
        _send_reply(channel, reply)


def _import(
    channel: socket.socket,
    module_name: str,
    work_dir: str,
    out: CappedWriter,
    confinement: dict[str, bool],
    ident: Any = None,
) -> Any:
    """Import the student's module and send the ready message (what it printed, its callables)."""
    sys.argv = [module_name + ".py"]
    module = None
    import_error = None
    # the collector's counts start from zero, in a fresh worker as after a hand-over: the module's own garbage
    # is collected at the same points, so its finalizers print in the same call either way
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = importlib.import_module(module_name)
        except BaseException as exc:
            import_error = wire.describe_exception(exc, work_dir)
    ready = {"ready": True, "import_error": import_error, **confinement}
    callables = _callables(module) if import_error is None else []
    answer = {**ready, "callables": callables, "stdout": out.take()}
    wire.send_frame(channel, answer if ident is None else {**answer, "id": ident})
    return module


# ----------------------------------------------------------------------------------------------------
# One worker, the submission's exercises one after another


MAX_MODULES = 8  # exercises one worker takes on (the parent's MAX_EXERCISES_PER_WORKER is the same)
SHARED_CPU_SECONDS = 1  # CPU time a worker may use before it stops taking on further exercises
SHARED_VM_BYTES = 16 << 20  # growth of the address space after which it stops taking on further exercises


class _Proc:
    """This process's ``/proc`` files that the hand-over check reads, opened before Landlock closes them."""

    def __init__(self, status: int, statm: int, fds: int) -> None:
        self.status, self.statm, self.fds = status, statm, fds

    @classmethod
    def open(cls) -> _Proc | None:
        """The three descriptors (``None`` without ``/proc``: then no worker takes on another exercise)."""
        flags = os.O_RDONLY | os.O_CLOEXEC
        opened: list[int] = []
        try:
            for path, extra in (("status", 0), ("statm", 0), ("fd", os.O_DIRECTORY)):
                opened.append(os.open(f"/proc/self/{path}", flags | extra))
        except OSError:
            for fd in opened:
                os.close(fd)
            return None
        return cls(*opened)

    def threads(self) -> int:
        """Threads of this process, Python's or not."""
        for line in os.pread(self.status, 1 << 14, 0).decode("ascii", "replace").splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise ValueError("no thread count")

    def mapped_bytes(self) -> int:
        """The address space mapped (``VmSize``)."""
        return confine.mapped_bytes(self.statm)

    def open_files(self) -> int:
        """Descriptors open in this process."""
        return len(os.listdir(self.fds))


@dataclass(frozen=True)
class _Start:
    """What the worker was before any student code ran: compared before each further exercise."""

    proc: _Proc
    state: tuple[Any, ...]
    vm_bytes: int
    modules: int  # how many modules sys.modules held


def _starting_state(proc: _Proc | None) -> _Start | None:
    """This worker's state before any student code (``None``: unknown here, so it takes on no other)."""
    if proc is None:
        return None
    try:
        return _Start(proc, _shared_state(proc), proc.mapped_bytes(), len(sys.modules))
    except Exception:
        return None


def _new_modules(start: _Start) -> list[str]:
    """The names of the modules imported since the worker started, newest first.

    Counted, not compared name by name: every module name is an object of the zygote's, and reading them
    all would copy their pages into every worker (~90 page faults). Imports only add to ``sys.modules``, at
    its end; code that deletes a library's entry there and imports another in its place hides that one
    from this count, which only its own next exercise can meet.
    """
    return list(itertools.islice(reversed(sys.modules.keys()), max(0, len(sys.modules) - start.modules)))


def _dict_versions() -> Callable[[dict[str, Any]], int] | None:
    """A reader of CPython's dict version tag (PEP 509), or ``None`` where there is none to trust.

    CPython 3.11-3.13 keep in every dict a tag that every insertion, replacement and deletion changes
    (``ma_version_tag``, after the object header and the entry count). Read through ``ctypes``, it tells
    whether a namespace changed without reading its values, whose reference counts a worker would
    otherwise write: NumPy's ~520 names cost ~150 copied pages in every fresh worker. Tried on a probe dict
    first (changed by each kind of write, not by reads); anything unexpected: ``None``, and the names are
    compared one by one.
    """
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return None
    try:
        import ctypes

        offset = 3 * ctypes.sizeof(ctypes.c_ssize_t)
        word = ctypes.c_uint64

        def version(namespace: dict[str, Any]) -> int:
            return int(word.from_address(id(namespace) + offset).value)

        probe: dict[str, Any] = {"kept": 1}
        seen = [version(probe)]
        probe.get("kept")
        if version(probe) != seen[0]:
            return None
        for change in (lambda: probe.update(new=1), lambda: probe.update(new=2), lambda: probe.pop("new")):
            change()
            seen.append(version(probe))
        return version if len(set(seen)) == len(seen) else None
    except Exception:
        return None


_DICT_VERSION = _dict_versions()  # found in the zygote, inherited by every worker


def _namespace(module: Any) -> Any:
    """What tells whether a module's namespace changed: its dict's version tag, else its values' ids."""
    namespace = vars(module)
    if _DICT_VERSION is not None:
        return _DICT_VERSION(namespace)
    return tuple(map(id, namespace.values()))


def _shared_state(proc: _Proc) -> tuple[Any, ...]:
    """What one exercise's code can leave behind, in this process, for the next exercise's code to meet.

    NumPy's error handling, printing and global random state; warning filters and hooks; the
    interpreter's limits, hooks, paths and streams; the environment, the working folder; signal handlers,
    pending timers, pending and blocked signals; threads and open descriptors; this process's limits,
    scheduling and identity; matplotlib's figures and settings.
    Not compared: the contents of library namespaces other than NumPy's top level and the builtins (whose
    names are, because honest code adds compatibility shims there: ``np.float = float``); changing them
    takes code written to do so, and it could reach the student's other exercises through an import today.
    Computed by the worker about itself: a student who subverts it affects only their own exercises.
    """
    import threading

    numpy = sys.modules["numpy"]
    legacy = None  # NumPy imports numpy.random on first use only: not here
    if "numpy.random" in sys.modules:  # ("MT19937", keys, position, has_gauss, cached_gaussian)
        legacy = sys.modules["numpy.random"].get_state()
        legacy = (legacy[0], hash(legacy[1].tobytes()), *legacy[2:])
    state: list[Any] = [
        # NumPy's and the builtins' names: honest code adds shims there (``np.float = float``)
        _namespace(numpy),
        _namespace(sys.modules["builtins"]),
        sorted(numpy.geterr().items()),
        id(numpy.geterrcall()),
        numpy.getbufsize(),
        repr(sorted(numpy.get_printoptions().items())),
        legacy,
        tuple(map(id, warnings.filters)),
        (id(warnings.showwarning), id(warnings.formatwarning)),
        (sys.getrecursionlimit(), sys.getswitchinterval(), sys.get_int_max_str_digits()),
        tuple(
            map(id, (sys.gettrace(), sys.getprofile(), sys.excepthook, sys.displayhook, sys.unraisablehook))
        ),
        tuple(map(id, (sys.stdout, sys.stderr, sys.stdin, sys.__stdout__, sys.__stderr__))),
        (tuple(sys.path), tuple(map(id, sys.meta_path)), tuple(map(id, sys.path_hooks))),
        dict(getattr(os.environ, "_data", os.environ)),  # the encoded form: no decoding per variable
        os.getcwd(),
        tuple(id(_getsignal(number)) for number in _WATCHED_SIGNALS),
        tuple(
            signal.getitimer(which)
            for which in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)
        ),
        sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        (threading.active_count(), proc.threads(), proc.open_files()),
        sorted(signal.sigpending()),
        (gc.isenabled(), gc.get_threshold(), gc.get_debug(), tuple(map(id, gc.callbacks))),
        id(sys.breakpointhook),
        # set through the libraries' own functions (not by patching them); stack_size() also resets it to 0,
        # which matters only when it was not 0: then the worker stops anyway
        threading.stack_size(),
        tuple(map(id, (threading.gettrace(), threading.getprofile(), threading.excepthook))),
        (socket.getdefaulttimeout(), time.timezone, time.altzone, time.daylight, time.tzname),
        confine.process_state(),
    ]
    if "random" in sys.modules:
        state.append(hash(sys.modules["random"].getstate()))
    state += [_library_state(name, module) for name, module in _stateful_modules()]
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        settings = dict.items(sys.modules["matplotlib"].rcParams)
        # a list setting is compared by content too: ``rcParams["figure.figsize"][0] = 3`` keeps its id
        values = tuple((k, id(v), tuple(v) if type(v) is list else 0) for k, v in settings)
        state.append((tuple(pyplot.get_fignums()), values))
    return tuple(state)


# Standard modules with settings of their own that honest code sets through their API. A module imported
# since the worker started stops the hand-over anyway (``_changed``); these are compared when the zygote had
# them already (``matplotlib`` preloaded brings ``decimal``, ``logging`` and ``locale`` along).
_STATEFUL = ("decimal", "logging", "locale", "csv", "tracemalloc", "calendar")


def _stateful_modules() -> list[tuple[str, Any]]:
    return [(name, sys.modules[name]) for name in _STATEFUL if name in sys.modules]


def _library_state(name: str, module: Any) -> Any:
    """The settings of one of ``_STATEFUL`` (its module is loaded)."""
    if name == "decimal":  # this thread's context, and the one new threads start from
        return (repr(module.getcontext()), repr(module.DefaultContext))
    if name == "logging":  # basicConfig, disable, getLogger(...) and every logger's level and handlers
        root = module.root
        loggers = [root, *root.manager.loggerDict.values()]  # (placeholders have no level, no handlers)
        return (
            root.manager.disable,
            id(module.lastResort),
            tuple(
                (
                    getattr(one, "level", None),
                    getattr(one, "propagate", None),
                    getattr(one, "disabled", None),
                    *map(id, getattr(one, "handlers", ())),
                )
                for one in loggers
            ),
        )
    if name == "locale":
        return module.setlocale(module.LC_ALL)  # a query (no locale given): changes nothing
    if name == "csv":
        return module.field_size_limit()
    if name == "tracemalloc":
        return module.is_tracing()
    return module.firstweekday()  # calendar


# Signals whose handling changes how a later exercise ends or is reported (its limits, crashes, timers);
# no other process may signal a worker (the seccomp filter), and pending ones are compared too.
_WATCHED_NAMES = "XCPU XFSZ SEGV BUS FPE ILL ABRT PIPE ALRM VTALRM PROF TERM INT HUP USR1 USR2 TRAP SYS"
# the C function under ``signal.getsignal``, which turns each handler into an enum member (more pages)
_getsignal = getattr(signal, "_signal", signal).getsignal
_WATCHED_SIGNALS = tuple(
    getattr(signal, "SIG" + name) for name in _WATCHED_NAMES.split() if hasattr(signal, "SIG" + name)
)


def _changed(start: _Start | None) -> str | None:
    """Why this process may not take on another exercise (what changed since it started), or ``None``."""
    if start is None:
        return "state"
    try:
        gc.collect()  # the last exercise's garbage goes now: its finalizers must not run in the next one
        if gc.collect():  # ... nor the garbage those finalizers made (collected later, in the next one)
            return "garbage"
        used = resource.getrusage(resource.RUSAGE_SELF)
        if used.ru_utime + used.ru_stime > SHARED_CPU_SECONDS:
            return "cpu"
        if start.proc.mapped_bytes() - start.vm_bytes > SHARED_VM_BYTES:
            return "memory"
        if len(sys.modules) != start.modules:  # the student's own are forgotten already: a library's
            return "modules"  # state (decimal's context, logging's handlers...) would reach the next one
        if _shared_state(start.proc) != start.state:
            return "state"
    except BaseException:  # whatever the student's code broke: a fresh worker, not an error
        return "state"
    return None


# The modules of the exercises this worker served before, kept alive: their objects are never finalized, as in
# a worker of their own (idle after its exercise, then killed). Released, their finalizers ran during the next
# exercise (a module's globals are freed by a collection after the hand-over), in its time and its output.
_RETIRED: list[Any] = []


def _forget_student_modules(work_dir: str, start: _Start) -> None:
    """Drop from ``sys.modules`` every module loaded from the submission's folder: the next imports afresh.

    Only modules loaded since the worker started are looked at (touching the zygote's would copy pages).
    The modules dropped are kept (``_RETIRED``).
    """
    folder = work_dir.rstrip("/") + "/"
    for name in _new_modules(start):
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if type(origin) is str and origin.startswith(folder):
            _RETIRED.append(sys.modules.pop(name))


def _next(
    channel: socket.socket,
    request: dict[str, Any],
    start: _Start | None,
    work_dir: str,
    out: CappedWriter,
) -> str:
    """``{"next": module}``: the next exercise's module, to import here, if nothing left behind forbids it.

    Replies ``{"taken": true}`` (the caller then imports the module and sends its ready message), or
    ``{"changed": why}`` and exits: the parent then starts a fresh worker for that exercise.
    """
    ident = request.get("id")
    name = request.get("next")
    why: str | None = "request" if start is not None else "state"
    if start is not None and type(name) is str and name.isidentifier():
        try:
            _forget_student_modules(work_dir, start)
            why = _changed(start)
        except BaseException:  # whatever the student's code broke: a fresh worker, not an error
            why = "state"
    out.take()  # what the last exercise's garbage printed belongs to nobody
    if why is not None:
        wire.send_frame(channel, {"id": ident, "changed": why})
        os._exit(0)
    wire.send_frame(channel, {"id": ident, "taken": True})  # from here on, the next exercise's time
    return str(name)


def _callables(module: Any) -> list[str] | None:
    """The module's top-level callable names for the ready message; ``None`` when there are too many.

    ``callable()`` reads the type's call slot and runs none of the value's code. Names longer than
    ``wire.NAME_CHARS`` or not identifiers (``globals()["a b"] = f``) are left out: the parent refuses them
    and asks about a name it does not find here.
    """
    names: list[str] = []
    try:
        for key, value in list(getattr(module, "__dict__", {}).items()):
            if type(key) is str and len(key) <= wire.NAME_CHARS and key.isidentifier() and callable(value):
                if len(names) == wire.MAX_CALLABLES:
                    return None
                names.append(key)
    except Exception:
        return None
    return names


def _answer_batch(
    channel: socket.socket,
    module: Any,
    request: dict[str, Any],
    work_dir: str,
    max_array: int,
    out: CappedWriter,
) -> None:
    """Run a batch's calls in order, one reply frame each as it finishes; stop after the first that raises."""
    ident = request.get("id")
    calls = request.get("calls")
    if type(calls) is not list or len(calls) > wire.MAX_BATCH_CALLS:
        calls = [None]  # answered as one call that raises: the parent never sends such a batch
    for index, call in enumerate(calls):
        try:
            if type(call) is not dict:
                raise ValueError("malformed batch request")
            name = call.get("name")
            sent = call.get("args", [])
            target = getattr(module, "__dict__", {}).get(name) if type(name) is str else None
            reply = _call(module, target, name, sent, ident, work_dir, max_array, out)
        except BaseException as exc:
            reply = {"raised": wire.describe_exception(exc, work_dir), "id": ident}
        reply["index"] = index
        _send_reply(channel, reply)
        if "raised" in reply:
            return


def _answer(module: Any, request: dict[str, Any], work_dir: str, max_array: int, out: CappedWriter) -> Any:
    """The reply to one request: ``{"defines"}`` for a question about a name, else the call's (``_call``)."""
    ident = request.get("id")
    name = request.get("name")
    target = getattr(module, "__dict__", {}).get(name) if type(name) is str else None
    if "defines" in request:
        return {"id": ident, "defines": callable(target)}
    return _call(module, target, name, request.get("args", []), ident, work_dir, max_array, out)


_ALWAYS = ("always", None, Warning, None, 0)  # the filter ``warnings.simplefilter("always")`` puts first


def _call(
    module: Any,
    target: Any,
    name: Any,
    sent: Any,
    ident: Any,
    work_dir: str,
    max_array: int,
    out: CappedWriter,
) -> dict[str, Any]:
    """Call ``target`` with the decoded arguments ``sent``: its result or exception, the arguments it
    changed, its warnings and what it printed.

    Warnings are recorded as ``warnings.catch_warnings(record=True)`` followed by
    ``warnings.simplefilter("always")`` record them, done here without the two (a quarter of the worker's
    own cost of a call): the same filters in force during the call (a copy of the list, "always" first), the
    same hooks, the filters' version bumped as often, and the list and hooks the call found put back after it
    (whatever the student's code did to them meanwhile).
    """
    args = [decode_student_arg(a, max_array) for a in sent]
    kept = [_kept(a) for a in args]  # to tell afterwards, without encoding again, what the call left alone
    reply: dict[str, Any] = {"id": ident}
    saved_filters = warnings.filters  # catch_warnings(record=True).__enter__
    filters: Any = saved_filters[:]
    warnings.filters = filters
    warnings._filters_mutated()  # type: ignore[attr-defined]
    saved_show = warnings.showwarning
    saved_impl = warnings._showwarnmsg_impl  # type: ignore[attr-defined]
    if _ALWAYS in filters:  # simplefilter("always"): moved to the front if already there
        filters.remove(_ALWAYS)
    filters.insert(0, _ALWAYS)
    warnings._filters_mutated()  # type: ignore[attr-defined]
    caught: list[Any] = []
    warnings._showwarnmsg_impl = caught.append  # type: ignore[attr-defined]
    warnings.showwarning = warnings._showwarning_orig  # type: ignore[attr-defined]
    try:
        try:
            if not callable(target):
                raise AttributeError(f"module {module.__name__!r} has no function {name!r}")
            result = target(*args)
            reply["ok"] = wire.encode_value(result, max_array_bytes=max_array)
        except BaseException as exc:
            reply["raised"] = wire.describe_exception(exc, work_dir)
    finally:  # catch_warnings.__exit__
        warnings.filters = saved_filters
        warnings._filters_mutated()  # type: ignore[attr-defined]
        warnings.showwarning = saved_show
        warnings._showwarnmsg_impl = saved_impl  # type: ignore[attr-defined]
    try:  # only the arguments whose encoding differs from what was sent (an unchanged argument costs nothing)
        changed = {}
        for i, (arg, before, data) in enumerate(zip(args, kept, sent, strict=True)):
            if before is not None and (not before or _left_alone(arg, before)):
                continue  # its encoding would be ``data`` again
            after = wire.encode_value(arg, max_array_bytes=max_array)
            if after != data:
                changed[str(i)] = after
        reply["args_after"] = {wire.ARGS_CHANGED: changed}
    except BaseException as exc:  # never an empty list that could pass for "nothing changed"
        reply["args_after"] = {wire.ARGS_UNKNOWN: wire.type_name(exc)}
    reply["warnings"] = wire.describe_warnings(caught) if caught else []
    reply["stdout"] = out.take()
    return reply


def _reply_encoder() -> Callable[[Any], str]:
    """``wire.send_frame``'s JSON text of a reply, from one C encoder built once (``JSONEncoder.encode``
    builds one per call): the same text. Without the circular-reference check, which a reply never needs:
    it is built here of new dicts, lists and strings."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return wire._COMPACT_JSON.encode
    settings = wire._COMPACT_JSON
    encode = make(
        None, settings.default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
    join = "".join

    def text(message: Any) -> str:
        return join(encode(message, 0))

    return text


_REPLY_JSON = _reply_encoder()


def _send_reply(channel: socket.socket, reply: dict[str, Any]) -> None:
    """``wire.send_frame(channel, reply)`` for a call's reply: the same bytes (see ``_reply_encoder``)."""
    body = _REPLY_JSON(reply).encode("utf-8")
    channel.sendall(wire.FRAME_HEADER.pack(len(body)) + body)


_IMMUTABLE = (type(None), bool, int, float, complex)


def _kept(arg: Any) -> Any:
    """What must hold after a call for ``arg`` (just decoded) to encode as it was sent; ``None``: encode it.

    A number or NumPy scalar cannot change; an ``ndarray`` encodes as its dtype, shape and C-order bytes,
    so those three are compared (the bytes kept here), not a new base64 text. Lists are encoded again.
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None and type(arg) is numpy.ndarray:
        return (arg.dtype, arg.shape, arg.tobytes())  # the dtype object: immutable, its text read if needed
    if type(arg) in _IMMUTABLE:
        return ()
    if numpy is not None and isinstance(arg, numpy.generic) and arg.dtype.kind in "biufc":
        return ()  # a NumPy number (a ``void`` scalar would be mutable: the decoder never makes one)
    return None


def _left_alone(arg: Any, kept: Any) -> bool:
    """Whether ``arg`` still encodes as when ``_kept`` saw it (same dtype, shape and bytes, or immutable)."""
    if not kept:
        return True
    dtype_before, shape, raw = kept
    dtype = arg.dtype  # the same ndarray object: its dtype and shape may have been set in place
    return (
        (dtype is dtype_before or dtype.str == dtype_before.str)
        and dtype.fields is None
        and not dtype.metadata
        and arg.shape == shape
        and arg.tobytes() == raw
    )


def decode_student_arg(data: Any, max_array: int) -> Any:
    """Decode an argument sent by the parent (opaque values never occur in arguments).

    A JSON float, a boolean, ``null`` or an integer within ``wire.MAX_INT_BITS`` is its own value (what
    ``decode_value`` returns for it, without building a decoder).
    """
    kind = type(data)
    if (
        kind is float
        or kind is bool
        or data is None
        or (kind is int and data.bit_length() <= wire.MAX_INT_BITS)
    ):
        return data
    return wire.decode_value(data, max_array_bytes=max_array, opaque=_no_opaque)


def _no_opaque(name: str) -> None:
    return None


# ----------------------------------------------------------------------------------------------------
# The zygote


MAX_SPAWN = 8  # workers per spawn request: the parent's buffer for passed descriptors holds this many
MAX_CLOSE = 64  # workers named in one close request
CLOSE_WAIT_SECONDS = 1.5  # how long a close waits for the killed workers to exit (the parent waits 2 s)


def _exit_notice(pid: int, status: int) -> dict[str, Any]:
    if os.WIFSIGNALED(status):
        return {"exited": pid, "signal": os.WTERMSIG(status)}
    return {"exited": pid, "code": os.waitstatus_to_exitcode(status)}


def _reap(workers: set[int]) -> list[dict[str, Any]]:
    """Reap every child that has exited (without waiting): their exit notices."""
    notices: list[dict[str, Any]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return notices
        if pid == 0:
            return notices
        workers.discard(pid)
        notices.append(_exit_notice(pid, status))


def _report_exits(control: socket.socket, workers: set[int]) -> None:
    for notice in _reap(workers):
        wire.send_frame(control, notice)


def _inside(path: str, root: str) -> str | None:
    """``path`` if it is a plain directory name right under ``root``, else ``None`` (no traversal)."""
    parent, name = os.path.split(path)
    if parent != root or not name or name in (".", "..") or "/" in name:
        return None
    return path


def _close(request: dict[str, Any], config: dict[str, Any], workers: set[int], wake: int) -> dict[str, Any]:
    """A finished submission: kill its workers, reap them (bounded), delete its files, then our state.

    The parent has killed the workers already (through pidfds); killing here too covers any whose host pid
    it never learnt. The reply carries the exit notices of everything reaped meanwhile.
    """
    named = request.get("workers", [])
    if type(named) is not list or len(named) > MAX_CLOSE:
        named = []
    pids = {pid for pid in named if type(pid) is int and pid in workers}
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + CLOSE_WAIT_SECONDS
    notices = _reap(workers)
    while pids & workers and (remaining := deadline - time.monotonic()) > 0:
        if select.select([wake], [], [], remaining)[0]:
            os.read(wake, 512)
        notices += _reap(workers)
    folder = _inside(str(request["close"]), config["tmp_root"])
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    return {"closed": request.get("id"), "exits": notices, "state": confine.own_state()}


def _freeze() -> None:
    """Keep a worker from writing to the zygote's pages when it collects garbage.

    Everything the zygote holds goes to the collector's permanent generation (``gc.freeze``): a worker's
    collections never walk it. Collected first: a full collection also empties the interpreter's free
    lists (of tuples, floats, ...), spread over a hundred pages a worker would otherwise copy at its first
    collection (measured: 134 page faults, 0.27 ms, in every worker).
    """
    gc.collect()
    gc.freeze()


def _spawn(
    control: socket.socket, request: dict[str, Any], config: dict[str, Any], workers: set[int]
) -> None:
    """Fork one worker per module named in ``{"spawn": [modules]}``; send their channels in one reply."""
    names = request.get("spawn")
    work_dir = _inside(str(request.get("work_dir", "")), config["subs_root"])
    tmp_dir = _inside(str(request.get("tmp_dir", "")), config["tmp_root"])
    if (
        work_dir is None
        or tmp_dir is None
        or type(names) is not list
        or not 0 < len(names) <= MAX_SPAWN
        or any(type(name) is not str for name in names)
    ):
        wire.send_frame(control, {"refused": request.get("id")})
        return
    os.makedirs(tmp_dir, mode=0o700, exist_ok=True)
    worker_config = {**config, "work_dir": work_dir, "tmp_dir": tmp_dir, "writable": [tmp_dir]}
    _freeze()  # what serving requests left in the free lists since the last fork (a few pages)
    pids: list[int] = []
    channels: list[socket.socket] = []
    try:
        for module_name in names:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            if hasattr(socket, "SO_PASSCRED"):  # Linux: the parent learns the worker's pid from the kernel
                ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            pid = os.fork()
            if pid == 0:
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    for channel in [*channels, ours, control]:  # no worker keeps another's channel
                        channel.close()
                    run_worker(theirs, module_name, worker_config)
                finally:
                    os._exit(70)
            theirs.close()
            workers.add(pid)
            pids.append(pid)
            channels.append(ours)
        reply = {"spawned": request.get("id"), "pids": pids}
        wire.send_frame(control, reply, fds=[channel.fileno() for channel in channels])
    finally:
        for channel in channels:
            channel.close()


def _serve(
    control: socket.socket, request: dict[str, Any], config: dict[str, Any], workers: set[int], wake: int
) -> None:
    """Answer one control request of the parent."""
    if "kill" in request:
        if request["kill"] in workers:
            with contextlib.suppress(OSError):
                os.kill(int(request["kill"]), signal.SIGKILL)
        return
    if "check" in request:  # before a hand-over: the parent compares this with the state at start
        wire.send_frame(control, {"checked": request.get("id"), "state": confine.own_state()})
        return
    if "preload" in request:
        for name in request["preload"]:
            with contextlib.suppress(Exception):
                importlib.import_module(str(name))
        _freeze()
        wire.send_frame(control, {"preloaded": request.get("id")})
        return
    if "close" in request:  # a finished submission: its workers, its files, then our state (one round trip)
        wire.send_frame(control, _close(request, config, workers, wake))
        return
    if "cleanup" in request:  # a finished submission's temporary files (its workers are all dead)
        folder = _inside(str(request["cleanup"]), config["tmp_root"])
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        wire.send_frame(control, {"cleaned": request.get("id")})
        return
    _spawn(control, request, config, workers)


def run_zygote(config: dict[str, Any]) -> None:
    """Import NumPy once, then fork a worker for every ``{"spawn": module}`` request on the control socket."""
    sys.dont_write_bytecode = True
    sys.path.extend(p for p in config.get("site_dirs", []) if p not in sys.path)
    control = socket.socket(fileno=int(config.get("control_fd", CONTROL_FD)))
    import ctypes
    import threading  # noqa: F401  (every worker's hand-over check reads it: imported once, here)

    import numpy

    for name in config.get("preload", []):  # e.g. matplotlib.pyplot, once for all five workers
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    confine.die_with_parent()
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: workers cannot read our memory
    except (OSError, AttributeError):
        pass
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    confine.prepare()  # the C library, the seccomp filter, Landlock's ABI: built once, inherited by workers
    confinement = {"seccomp": confine.seccomp_available(), "landlock_abi": confine.landlock_abi()}
    _freeze()
    ready = {"zygote": "ready", "numpy": numpy.__version__, "pid": os.getpid(), **confinement}
    wire.send_frame(control, {**ready, "state": confine.own_state()})
    workers: set[int] = set()
    watched: list[Any] = [control, wake_read]
    while True:
        readable, _, _ = select.select(watched, [], [])
        if wake_read in readable:
            os.read(wake_read, 512)
            _report_exits(control, workers)
        if control not in readable:
            continue
        try:
            request = wire.recv_frame(control, 1 << 16)
        except (EOFError, wire.ProtocolError, OSError):
            os._exit(0)
        if type(request) is dict:
            _serve(control, request, config, workers, wake_read)


if __name__ == "__main__":
    run_zygote(json.loads(sys.argv[1]))
