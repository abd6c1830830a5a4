"""The untrusted side of the grader: a stdlib+NumPy zygote that forks one worker per student exercise.

This file is copied alone into the sandbox and run there as ``python -I -S harness.py CONFIG_JSON``.
It never imports the ``activation_lab`` package. The trusted parent imports it too, but only for the value
wire encoding (:func:`encode_value`, :func:`decode_value`) and the framing (:func:`send_frame`,
:func:`recv_frame`); importing it runs no student code.

Processes and channels::

    parent ──control socket (fd 3)──▶ zygote (imports numpy once)
                                        └─ fork ─▶ worker: rlimits, seccomp, imports the student's module,
                                                   answers calls over its own socket (sent to the parent
                                                   with SCM_RIGHTS); its stdout/stderr never reach a socket

Frames are a 4-byte big-endian length followed by UTF-8 JSON. Nothing is ever pickled.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import traceback
import warnings
from typing import Any

FRAME_HEADER = struct.Struct(">I")
MAX_INT_BITS = 1024
MAX_DEPTH = 8
TEXT_CAP = 2000
WARNINGS_CAP = 20
CONTROL_FD = 3


class ProtocolError(Exception):
    """A frame or value that breaks the wire format (too large, malformed, wrong kind)."""


# ----------------------------------------------------------------------------------------------------
# Framing


def send_frame(sock: socket.socket, message: Any, fds: list[int] | None = None) -> None:
    """Send one length-prefixed JSON frame, optionally passing file descriptors (SCM_RIGHTS) with it."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    data = FRAME_HEADER.pack(len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    sock.sendall(data)


def _recv_exactly(sock: socket.socket, size: int, ancillary: list[tuple[int, int, bytes]] | None) -> bytes:
    chunks = []
    while size:
        if ancillary is None:
            chunk = sock.recv(min(size, 1 << 20))
        else:
            chunk, cmsgs, _, _ = sock.recvmsg(min(size, 1 << 20), socket.CMSG_SPACE(64))
            ancillary.extend(cmsgs)
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv_frame(
    sock: socket.socket, max_bytes: int, ancillary: list[tuple[int, int, bytes]] | None = None
) -> Any:
    """Receive one frame (``EOFError`` if closed, ``ProtocolError`` if bad), collecting ancillary data."""
    (size,) = FRAME_HEADER.unpack(_recv_exactly(sock, FRAME_HEADER.size, ancillary))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the cap of {max_bytes}")
    try:
        return json.loads(_recv_exactly(sock, size, ancillary).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed frame: {type(exc).__name__}") from None


# ----------------------------------------------------------------------------------------------------
# Values on the wire


def type_name(value: Any) -> str:
    """The real name of ``value``'s class, read without calling any method of the class or its metaclass."""
    name = type.__dict__["__name__"].__get__(type(value), type)
    return name if type(name) is str else "?"


def _numpy() -> Any:
    import numpy

    return numpy


def _npy_b64(array: Any) -> str:
    buffer = io.BytesIO()
    _numpy().save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@functools.cache
def _scalar_types(np: Any) -> frozenset[type]:
    return frozenset(t for t in np.sctypeDict.values() if isinstance(t, type) and issubclass(t, np.generic))


def encode_value(value: Any, *, max_array_bytes: int = 1 << 20, _depth: int = 0) -> Any:
    """Encode a value as plain JSON data by exact type checks; anything else becomes ``{"opaque": name}``.

    No method of a student-defined class is ever called: subclasses of ``int``/``float``/``ndarray``, objects
    with hostile ``__eq__``/``__float__``/``__array__``/``__repr__`` and object arrays all come out opaque.
    """
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        return value if value.bit_length() <= MAX_INT_BITS else {"opaque": "int (too large)"}
    if kind is float:
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else {"float": repr(value)}
        )
    if kind is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if kind in (list, tuple):
        if _depth >= MAX_DEPTH or len(value) > 10_000:
            return {"opaque": f"{kind.__name__} (too large)"}
        items = [encode_value(v, max_array_bytes=max_array_bytes, _depth=_depth + 1) for v in value]
        return {kind.__name__: items}
    if "numpy" not in sys.modules:
        return {"opaque": type_name(value)}
    np = _numpy()
    if kind is np.ndarray:
        dtype = value.dtype
        if dtype.kind not in "biufc" or dtype.fields is not None or dtype.metadata:
            return {"opaque": f"ndarray[{dtype.name}]"}
        if value.nbytes > max_array_bytes:
            return {"opaque": f"ndarray (too large: {value.nbytes} bytes)"}
        return {"dtype": dtype.str, "shape": list(value.shape), "npy": _npy_b64(np.array(value, copy=True))}
    if kind in _scalar_types(np):
        dtype = value.dtype
        if dtype.kind not in "biufc":
            return {"opaque": type_name(value)}
        if (dtype.kind == "f" and dtype.itemsize > 8) or (dtype.kind == "c" and dtype.itemsize > 16):
            return {"scalar": dtype.str, "char": dtype.char, "npy": _npy_b64(np.array(value))}
        if dtype.kind == "c":
            pair = complex(value)
            return {"scalar": dtype.str, "char": dtype.char, "value": [repr(pair.real), repr(pair.imag)]}
        item = repr(float(value)) if dtype.kind == "f" else value.item()
        return {"scalar": dtype.str, "char": dtype.char, "value": item}
    figure_module = sys.modules.get("matplotlib.figure")
    if figure_module is not None and kind is getattr(figure_module, "Figure", None):
        return _encode_figure(value, max_array_bytes)
    return {"opaque": type_name(value)}


def _encode_figure(figure: Any, max_array_bytes: int) -> Any:
    """A matplotlib ``Figure`` as plain data: per axes its texts, limits, legend and each line's x and y.

    Runs inside the sandbox on the student's figure; whatever cannot be read makes the figure opaque.
    """
    np = _numpy()

    def text(value: Any) -> str:
        return value[:200] if type(value) is str else ""

    def pair(values: Any) -> list[Any]:
        return [encode_value(float(v)) for v in values][:2]

    try:
        axes = []
        for ax in figure.get_axes()[:8]:
            legend = ax.get_legend()
            lines = [
                {
                    "label": text(line.get_label()),
                    "x": encode_value(
                        np.asarray(line.get_xdata(), dtype=float), max_array_bytes=max_array_bytes
                    ),
                    "y": encode_value(
                        np.asarray(line.get_ydata(), dtype=float), max_array_bytes=max_array_bytes
                    ),
                }
                for line in ax.get_lines()[:20]
            ]
            axes.append(
                {
                    "title": text(ax.get_title()),
                    "xlabel": text(ax.get_xlabel()),
                    "ylabel": text(ax.get_ylabel()),
                    "xlim": pair(ax.get_xlim()),
                    "ylim": pair(ax.get_ylim()),
                    "legend": None
                    if legend is None
                    else [text(t.get_text()) for t in legend.get_texts()[:20]],
                    "lines": lines,
                }
            )
        return {"figure": {"axes": axes}}
    except Exception:
        return {"opaque": "Figure (unreadable)"}


def _decode_figure(data: Any, max_array_bytes: int) -> dict[str, Any]:
    """The parent's side of :func:`_encode_figure`: a plain dict whose every field has its exact type."""

    def text(value: Any) -> str:
        if type(value) is not str:
            raise ProtocolError("figure text is not a string")
        return value[:200]

    def number(value: Any) -> float:
        decoded = decode_value(value, max_array_bytes=max_array_bytes, opaque=lambda name: float("nan"))
        if type(decoded) not in (int, float):
            raise ProtocolError("figure limit is not a number")
        return float(decoded)

    def array(value: Any) -> Any:
        decoded = decode_value(value, max_array_bytes=max_array_bytes, opaque=lambda name: None)
        if type(decoded) is not _numpy().ndarray:
            raise ProtocolError("figure line data is not an array")
        return decoded

    if type(data) is not dict or type(data.get("axes")) is not list:
        raise ProtocolError("malformed figure")
    axes = []
    for ax in data["axes"][:8]:
        legend = ax.get("legend")
        axes.append(
            {
                "title": text(ax.get("title")),
                "xlabel": text(ax.get("xlabel")),
                "ylabel": text(ax.get("ylabel")),
                "xlim": tuple(number(v) for v in ax.get("xlim", [])[:2]),
                "ylim": tuple(number(v) for v in ax.get("ylim", [])[:2]),
                "legend": None if legend is None else tuple(text(t) for t in legend[:20]),
                "lines": tuple(
                    {"label": text(line.get("label")), "x": array(line.get("x")), "y": array(line.get("y"))}
                    for line in ax.get("lines", [])[:20]
                ),
            }
        )
    return {"figure": tuple(axes)}


def _load_npy(text: str, max_array_bytes: int) -> Any:
    np = _numpy()
    if type(text) is not str or len(text) > max_array_bytes * 4 // 3 + 1024:
        raise ProtocolError("array payload too large or not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, TypeError, OSError, EOFError) as exc:  # object arrays (pickles) raise ValueError here
        raise ProtocolError(f"unreadable array payload: {exc}") from None
    if type(array) is not np.ndarray or array.dtype.kind not in "biufc" or array.nbytes > max_array_bytes:
        raise ProtocolError("array payload of a forbidden kind or size")
    return array


def decode_value(data: Any, *, max_array_bytes: int = 1 << 20, opaque: Any = None, _depth: int = 0) -> Any:
    """Turn wire data back into a value: a number, NumPy scalar, ``ndarray``, list/tuple or ``Opaque``."""
    if data is None or type(data) in (bool, int, float, str):
        if type(data) is str:
            raise ProtocolError("bare strings are not values")
        return data
    if type(data) is not dict or len(data) == 0 or _depth > MAX_DEPTH:
        raise ProtocolError(f"malformed value {type(data).__name__}")
    if "opaque" in data:
        if opaque is None:
            from activation_lab.records import (
                Opaque,
            )  # the parent's record; never imported inside the sandbox

            opaque = Opaque
        return opaque(str(data["opaque"])[:200])
    if "figure" in data:
        return _decode_figure(data["figure"], max_array_bytes)
    if "float" in data:
        return float(data["float"])
    if "complex" in data:
        real, imag = data["complex"]
        return complex(float(real), float(imag))
    for kind in ("list", "tuple"):
        if kind in data:
            items = [
                decode_value(v, max_array_bytes=max_array_bytes, opaque=opaque, _depth=_depth + 1)
                for v in data[kind]
            ]
            return items if kind == "list" else tuple(items)
    np = _numpy()
    if "scalar" in data:
        dtype = np.dtype(str(data["scalar"]))
        if "char" in data:  # tells apart types of one layout, e.g. int64 and longlong
            char = str(data["char"])
            if len(char) != 1 or np.dtype(char).str != dtype.str:
                raise ProtocolError("scalar type code does not match its dtype")
            dtype = np.dtype(char)
        if dtype.kind not in "biufc":
            raise ProtocolError(f"scalar of forbidden dtype {dtype}")
        if "npy" in data:
            array = _load_npy(data["npy"], max_array_bytes)
            if array.shape != () or array.dtype != dtype:
                raise ProtocolError("scalar payload does not match its dtype")
            return array[()]
        item = data["value"]
        if dtype.kind == "c":
            return dtype.type(complex(float(item[0]), float(item[1])))
        if dtype.kind == "f":
            return dtype.type(float(item))
        if type(item) not in (int, bool):
            raise ProtocolError("integer scalar without an integer value")
        return dtype.type(item)
    if "npy" in data:
        array = _load_npy(data["npy"], max_array_bytes)
        if array.dtype.str != data.get("dtype") or list(array.shape) != data.get("shape"):
            raise ProtocolError("array payload does not match its declared dtype and shape")
        return array
    raise ProtocolError(f"unknown value kind {sorted(data)[:3]}")


# ----------------------------------------------------------------------------------------------------
# Exceptions as plain data


def _safe_text(obj: Any) -> str:
    try:
        text = str(obj)
    except BaseException:
        return "<unprintable>"
    if type(text) is not str:
        return "<unprintable>"
    return text if len(text) <= TEXT_CAP else text[:TEXT_CAP] + "…"


def describe_exception(exc: BaseException, work_dir: str) -> dict[str, str]:
    """``{"type", "message", "traceback"}`` of an exception, keeping only the student's own frames."""
    lines = []
    try:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith(work_dir + os.sep):
                lines.append(
                    f"{os.path.basename(frame.filename)}:{frame.lineno}: {frame.line or ''}".rstrip()
                )
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            text = (exc.text or "").strip()
            lines.append(f"{os.path.basename(str(exc.filename))}:{exc.lineno}: {text}".rstrip())
    except BaseException:
        lines.append("<traceback unavailable>")
    return {"type": type_name(exc), "message": _safe_text(exc), "traceback": "\n".join(lines[-5:])[:TEXT_CAP]}


# ----------------------------------------------------------------------------------------------------
# The worker (one per exercise, forked from the zygote)


class CappedWriter(io.TextIOBase):
    """A ``sys.stdout`` replacement that keeps at most ``cap`` characters per call and drops the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, text: Any) -> int:
        text = text if type(text) is str else _safe_text(text)
        room = self.cap - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        """Return and forget what was written since the last call."""
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n[... {self.dropped} more characters dropped]"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


def _set_limits(config: dict[str, Any]) -> None:
    import resource

    def cap(which: int, soft: int, hard: int | None = None) -> None:
        try:
            resource.setrlimit(which, (soft, soft if hard is None else hard))
        except (ValueError, OSError):
            pass

    vm_now = 0
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    vm_now = int(line.split()[1]) * 1024
    except OSError:
        pass
    # The cap is what the student may allocate on top of the interpreter and NumPy already mapped.
    cap(resource.RLIMIT_AS, vm_now + int(config["memory_bytes"]))
    cpu = max(1, int(config["cpu_seconds"] + 0.999))
    cap(resource.RLIMIT_CPU, cpu, cpu + 1)
    cap(resource.RLIMIT_FSIZE, int(config["file_size_bytes"]))
    cap(resource.RLIMIT_NOFILE, int(config["open_files"]))
    cap(resource.RLIMIT_NPROC, int(config["processes"]))
    cap(resource.RLIMIT_CORE, 0)


# seccomp: new processes, signals to other processes, sockets, tracing and other escape hatches are refused.
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SYSCALLS: dict[str, dict[str, Any]] = {
    "x86_64": {
        "clone": 56, "clone3": 435, "fork": 57, "vfork": 58, "kill": 62, "tkill": 200, "tgkill": 234,
        "deny": [41, 101, 310, 311, 434, 424, 308, 272, 250, 321, 298, 425, 129, 297, 165, 155, 112],
    },
    "aarch64": {
        "clone": 220, "clone3": 435, "kill": 129, "tkill": 130, "tgkill": 131,
        "deny": [198, 117, 270, 271, 434, 424, 268, 97, 219, 280, 241, 425, 138, 240, 40, 41, 157],
    },
}  # fmt: skip


def _seccomp_program(machine: str, own_pid: int) -> bytes | None:
    table = _SYSCALLS.get(machine)
    if table is None:
        return None
    ld_abs, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
    allow, kill_process = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38
    program: list[tuple[int, int, int, int]] = [
        (ld_abs, 0, 0, 4),
        (jeq, 1, 0, _AUDIT_ARCH[machine]),
        (ret, 0, 0, kill_process),
        (ld_abs, 0, 0, 0),
        (jge, 0, 1, 0x40000000),
        (ret, 0, 0, eperm),
        (jeq, 0, 1, table["clone3"]),
        (ret, 0, 0, enosys),  # glibc then falls back to clone(), checked below
        (jeq, 0, 4, table["clone"]),
        (ld_abs, 0, 0, 16),
        (jset, 0, 1, 0x00010000),  # CLONE_THREAD: threads are allowed, new processes are not
        (ret, 0, 0, allow),
        (ret, 0, 0, eperm),
    ]
    for name in ("kill", "tkill", "tgkill"):
        program += [
            (jeq, 0, 4, table[name]),
            (ld_abs, 0, 0, 16),
            (jeq, 0, 1, own_pid),
            (ret, 0, 0, allow),
            (ret, 0, 0, eperm),
        ]
    for number in [table.get("fork"), table.get("vfork"), *table["deny"]]:
        if number is not None:
            program += [(jeq, 0, 1, number), (ret, 0, 0, eperm)]
    program.append((ret, 0, 0, allow))
    return b"".join(struct.pack("=HBBI", code, jt, jf, k) for code, jt, jf, k in program)


def _install_seccomp() -> bool:
    import ctypes
    import platform

    program = _seccomp_program(platform.machine(), os.getpid()) if sys.platform.startswith("linux") else None
    if program is None:
        return False

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    fprog = SockFprog(len(program) // 8, program)
    return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (the sandbox's last line of clean-up)."""
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


_LANDLOCK_READ = (1 << 0) | (1 << 2) | (1 << 3)  # EXECUTE, READ_FILE, READ_DIR
# EXECUTE, WRITE_FILE, READ_FILE: all that a rule on a single file may allow
_LANDLOCK_FILE = (1 << 0) | (1 << 1) | (1 << 2)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is unavailable)."""
    if not sys.platform.startswith("linux"):  # system-call numbers mean other things elsewhere
        return 0
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return max(0, int(libc.syscall(444, None, 0, 1)))  # LANDLOCK_CREATE_RULESET_VERSION
    except (OSError, AttributeError):
        return 0


def _install_landlock(readable: list[str], writable: list[str]) -> bool:
    """Confine further file access to ``readable`` (read) and ``writable`` (all) paths; Linux 5.13+.

    This is what isolates files in the fallback modes; inside bubblewrap it is a second wall.
    """
    import ctypes

    abi = landlock_abi()
    if abi < 1:
        return False
    handled = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | (1 << 14 if abi >= 3 else 0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ruleset_attr = struct.pack("=Q", handled)
    ruleset = int(libc.syscall(444, ruleset_attr, len(ruleset_attr), 0))
    if ruleset < 0:
        return False
    try:
        for paths, access in ((readable, _LANDLOCK_READ), (writable, handled)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = access if os.path.isdir(path) else access & _LANDLOCK_FILE
                    rule = struct.pack("=Qi", allowed, fd)  # struct landlock_path_beneath_attr (packed)
                    if libc.syscall(445, ruleset, 1, rule, 0) != 0:  # LANDLOCK_RULE_PATH_BENEATH
                        return False
                finally:
                    os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required by landlock_restrict_self
            return False
        return libc.syscall(446, ruleset, 0) == 0
    finally:
        os.close(ruleset)


def _isolate_fds(keep: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def run_worker(channel: socket.socket, module_name: str, config: dict[str, Any]) -> None:
    """Import the student's module and answer calls until the channel closes; never returns."""
    work_dir = config["work_dir"]
    max_bytes = int(config["message_bytes"])
    max_array = int(config["array_bytes"])
    _die_with_parent()
    send_frame(channel, {"hello": module_name})  # sent before any student code runs: carries our credentials
    _isolate_fds(channel.fileno())
    os.chdir(work_dir)
    sys.path.insert(0, work_dir)
    tmp_dir = config.get("tmp_dir")
    if tmp_dir:
        os.environ.update(HOME=tmp_dir, TMPDIR=tmp_dir, MPLCONFIGDIR=os.path.join(tmp_dir, "matplotlib"))
    _set_limits(config)
    sandboxed = _install_seccomp() if config.get("seccomp", True) else False
    out = CappedWriter(int(config["output_bytes"]))
    sys.stdout = sys.stderr = out
    sys.stdin = open(os.devnull)
    confined = _install_landlock([*config.get("readable", []), work_dir], config.get("writable", []))
    sys.argv = [module_name + ".py"]

    import importlib

    module = None
    import_error = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = importlib.import_module(module_name)
        except BaseException as exc:
            import_error = describe_exception(exc, work_dir)
    ready = {"ready": True, "import_error": import_error, "seccomp": sandboxed, "landlock": confined}
    send_frame(channel, {**ready, "stdout": out.take()})

    while True:
        try:
            request = recv_frame(channel, max_bytes)
        except (EOFError, ProtocolError, OSError):
            os._exit(0)
        try:
            reply = _answer(module, request, work_dir, max_array, out)
        except BaseException as exc:
            reply = {
                "id": request.get("id") if type(request) is dict else None,
                "raised": describe_exception(exc, work_dir),
            }
        send_frame(channel, reply)


def _answer(module: Any, request: dict[str, Any], work_dir: str, max_array: int, out: CappedWriter) -> Any:
    ident = request.get("id")
    name = request.get("name")
    target = getattr(module, "__dict__", {}).get(name) if type(name) is str else None
    if "defines" in request:
        return {"id": ident, "defines": callable(target)}
    args = [decode_student_arg(a, max_array) for a in request.get("args", [])]
    reply: dict[str, Any] = {"id": ident}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not callable(target):
                raise AttributeError(f"module {module.__name__!r} has no function {name!r}")
            result = target(*args)
            reply["ok"] = encode_value(result, max_array_bytes=max_array)
        except BaseException as exc:
            reply["raised"] = describe_exception(exc, work_dir)
    try:
        reply["args_after"] = [encode_value(a, max_array_bytes=max_array) for a in args]
    except BaseException:
        reply["args_after"] = []
    reply["warnings"] = [
        f"{type_name(w.message) if isinstance(w.message, Warning) else 'Warning'}: {_safe_text(w.message)}"[
            :500
        ]
        for w in caught[:WARNINGS_CAP]
    ]
    reply["stdout"] = out.take()
    return reply


def decode_student_arg(data: Any, max_array: int) -> Any:
    """Decode an argument sent by the parent (inside the sandbox ``Opaque`` is not available, nor needed)."""
    return decode_value(data, max_array_bytes=max_array, opaque=lambda name: None)


# ----------------------------------------------------------------------------------------------------
# The zygote


def _report_exits(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            send_frame(control, {"exited": pid, "signal": os.WTERMSIG(status)})
        else:
            send_frame(control, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _inside(path: str, root: str) -> str | None:
    """``path`` if it is a plain directory name right under ``root``, else ``None`` (no traversal)."""
    parent, name = os.path.split(path)
    if parent != root or not name or name in (".", "..") or "/" in name:
        return None
    return path


def run_zygote(config: dict[str, Any]) -> None:
    """Import NumPy once, then fork a worker for every ``{"spawn": module}`` request on the control socket."""
    sys.dont_write_bytecode = True
    sys.path.extend(p for p in config.get("site_dirs", []) if p not in sys.path)
    control = socket.socket(fileno=int(config.get("control_fd", CONTROL_FD)))
    import ctypes
    import importlib
    import platform  # noqa: F401
    import resource  # noqa: F401

    import numpy

    for name in config.get("preload", []):  # e.g. matplotlib.pyplot, once for all five workers
        with contextlib.suppress(Exception):
            importlib.import_module(name)

    _die_with_parent()
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: workers cannot read our memory
    except (OSError, AttributeError):
        pass
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    send_frame(control, {"zygote": "ready", "numpy": numpy.__version__, "pid": os.getpid()})
    workers: set[int] = set()
    while True:
        watched: list[Any] = [control, wake_read]
        readable, _, _ = select.select(watched, [], [])
        if wake_read in readable:
            os.read(wake_read, 512)
            _report_exits(control)
        if control not in readable:
            continue
        try:
            request = recv_frame(control, 1 << 16)
        except (EOFError, ProtocolError, OSError):
            os._exit(0)
        if "kill" in request:
            if request["kill"] in workers:
                with contextlib.suppress(OSError):
                    os.kill(int(request["kill"]), signal.SIGKILL)
            continue
        if "preload" in request:
            for name in request["preload"]:
                with contextlib.suppress(Exception):
                    importlib.import_module(str(name))
            send_frame(control, {"preloaded": request.get("id")})
            continue
        if "cleanup" in request:  # a finished submission's temporary files (its workers are all dead)
            folder = _inside(str(request["cleanup"]), config["tmp_root"])
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            send_frame(control, {"cleaned": request.get("id")})
            continue
        work_dir = _inside(str(request.get("work_dir", "")), config["subs_root"])
        tmp_dir = _inside(str(request.get("tmp_dir", "")), config["tmp_root"])
        if work_dir is None or tmp_dir is None:
            send_frame(control, {"refused": request.get("id")})
            continue
        os.makedirs(tmp_dir, mode=0o700, exist_ok=True)
        worker_config = {**config, "work_dir": work_dir, "tmp_dir": tmp_dir, "writable": [tmp_dir]}
        module_name = str(request.get("spawn", ""))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        if hasattr(socket, "SO_PASSCRED"):  # Linux: the parent learns the worker's pid from the kernel
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        pid = os.fork()
        if pid == 0:
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                ours.close()
                control.close()
                run_worker(theirs, module_name, worker_config)
            finally:
                os._exit(70)
        theirs.close()
        workers.add(pid)
        send_frame(control, {"spawned": request.get("id"), "pid": pid}, fds=[ours.fileno()])
        ours.close()


if __name__ == "__main__":
    run_zygote(json.loads(sys.argv[1]))
