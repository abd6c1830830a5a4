"""The wire between the grader and the sandbox: framing, the value codec, and exceptions as plain data.

This is the only code that runs on both sides of the trust boundary. It is imported by the parent as
``activation_lab.sandbox.wire`` and copied into the sandbox beside ``worker.py``; it imports only the standard
library (and NumPy, lazily) and never anything of the ``activation_lab`` package.

Frames are a 4-byte big-endian length followed by UTF-8 JSON. Nothing is ever pickled: values are plain
JSON, NumPy scalars as ``{"scalar": dtype, "char": code, "value": ...}`` and arrays as ``.npy`` bytes written
and read with ``allow_pickle=False``.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import select
import socket
import struct
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

FRAME_HEADER = struct.Struct(">I")
MAX_INT_BITS = 1024
MAX_DEPTH = 8
TEXT_CAP = 2000
WARNINGS_CAP = 20
WARNING_CHARS = 500
TRACEBACK_LINES = 5


class ProtocolError(Exception):
    """A frame or value that breaks the wire format (too large, malformed, wrong kind)."""


# ----------------------------------------------------------------------------------------------------
# Framing: one writer, one reader (with an optional absolute deadline)


def send_frame(sock: socket.socket, message: Any, fds: list[int] | None = None) -> None:
    """Send one length-prefixed JSON frame, optionally passing file descriptors (SCM_RIGHTS) with it."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    data = FRAME_HEADER.pack(len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    sock.sendall(data)


def _recv_exactly(
    sock: socket.socket, size: int, deadline: float | None, ancillary: list[tuple[int, int, bytes]] | None
) -> bytes:
    chunks = []
    while size:
        if deadline is not None:  # a peer trickling bytes cannot extend the deadline
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
                raise TimeoutError
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
    sock: socket.socket,
    max_bytes: int,
    ancillary: list[tuple[int, int, bytes]] | None = None,
    deadline: float | None = None,
) -> Any:
    """Receive one frame: ``EOFError`` if closed, ``ProtocolError`` if bad, ``TimeoutError`` at ``deadline``.

    With ``ancillary``, control messages (passed descriptors, credentials) are collected into it.
    """
    (size,) = FRAME_HEADER.unpack(_recv_exactly(sock, FRAME_HEADER.size, deadline, ancillary))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the cap of {max_bytes}")
    try:
        return json.loads(_recv_exactly(sock, size, deadline, ancillary).decode("utf-8"))
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

    def array(values: Any) -> Any:
        return encode_value(np.asarray(values, dtype=float), max_array_bytes=max_array_bytes)

    try:
        axes = []
        for ax in figure.get_axes()[:8]:
            legend = ax.get_legend()
            lines = [
                {"label": text(line.get_label()), "x": array(line.get_xdata()), "y": array(line.get_ydata())}
                for line in ax.get_lines()[:20]
            ]
            texts = None if legend is None else [text(t.get_text()) for t in legend.get_texts()[:20]]
            axes.append(
                {
                    "title": text(ax.get_title()),
                    "xlabel": text(ax.get_xlabel()),
                    "ylabel": text(ax.get_ylabel()),
                    "xlim": pair(ax.get_xlim()),
                    "ylim": pair(ax.get_ylim()),
                    "legend": texts,
                    "lines": lines,
                }
            )
        return {"figure": {"axes": axes}}
    except Exception:
        return {"opaque": "Figure (unreadable)"}


def _decode_figure(data: Any, opaque: Callable[[str], Any], max_array_bytes: int) -> dict[str, Any]:
    """The parent's side of :func:`_encode_figure`: a plain dict whose every field has its exact type."""

    def text(value: Any) -> str:
        if type(value) is not str:
            raise ProtocolError("figure text is not a string")
        return value[:200]

    def number(value: Any) -> float:
        decoded = decode_value(value, opaque=lambda name: float("nan"), max_array_bytes=max_array_bytes)
        if type(decoded) not in (int, float):
            raise ProtocolError("figure limit is not a number")
        return float(decoded)

    def array(value: Any) -> Any:
        decoded = decode_value(value, opaque=opaque, max_array_bytes=max_array_bytes)
        if type(decoded) is not _numpy().ndarray:
            raise ProtocolError("figure line data is not an array")
        return decoded

    if type(data) is not dict or type(data.get("axes")) is not list:
        raise ProtocolError("malformed figure")
    axes = []
    for ax in data["axes"][:8]:
        if type(ax) is not dict:
            raise ProtocolError("malformed figure axes")
        legend = ax.get("legend")
        axes.append(
            {
                "title": text(ax.get("title")),
                "xlabel": text(ax.get("xlabel")),
                "ylabel": text(ax.get("ylabel")),
                "xlim": tuple(number(v) for v in ax.get("xlim", [])[:2]),
                "ylim": tuple(number(v) for v in ax.get("ylim", [])[:2]),
                "legend": None if legend is None else tuple(text(t) for t in list(legend)[:20]),
                "lines": tuple(
                    {"label": text(line.get("label")), "x": array(line.get("x")), "y": array(line.get("y"))}
                    for line in list(ax.get("lines", []))[:20]
                    if type(line) is dict
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


def decode_value(
    data: Any, *, opaque: Callable[[str], Any], max_array_bytes: int = 1 << 20, _depth: int = 0
) -> Any:
    """Turn wire data back into a value: a number, NumPy scalar, ``ndarray``, list/tuple or ``opaque(name)``.

    The parent passes its ``Opaque`` record; inside the sandbox opaque arguments never occur.
    """
    if data is None or type(data) in (bool, int, float, str):
        if type(data) is str:
            raise ProtocolError("bare strings are not values")
        return data
    if type(data) is not dict or len(data) == 0 or _depth > MAX_DEPTH:
        raise ProtocolError(f"malformed value {type(data).__name__}")
    if "opaque" in data:
        return opaque(str(data["opaque"])[:200])
    if "figure" in data:
        return _decode_figure(data["figure"], opaque, max_array_bytes)
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
# Exceptions and warnings as plain data (the sandbox's worker and the in-process student both use these)


def safe_text(obj: Any) -> str:
    """``str(obj)`` capped at ``TEXT_CAP`` characters, or ``"<unprintable>"`` if that fails or lies."""
    try:
        text = str(obj)
    except BaseException:
        return "<unprintable>"
    if type(text) is not str:
        return "<unprintable>"
    return text if len(text) <= TEXT_CAP else text[:TEXT_CAP] + "…"


def describe_exception(exc: BaseException, student_dir: str) -> dict[str, str]:
    """``{"type", "message", "traceback"}`` of an exception, with the frames of ``student_dir``'s files."""
    lines = []
    try:
        for frame in traceback.extract_tb(exc.__traceback__):
            if os.path.dirname(frame.filename) == student_dir:
                lines.append(
                    f"{os.path.basename(frame.filename)}:{frame.lineno}: {frame.line or ''}".rstrip()
                )
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            text = (exc.text or "").strip()
            lines.append(f"{os.path.basename(str(exc.filename))}:{exc.lineno}: {text}".rstrip())
    except BaseException:
        lines.append("<traceback unavailable>")
    text = "\n".join(lines[-TRACEBACK_LINES:])[:TEXT_CAP]
    return {"type": type_name(exc), "message": safe_text(exc), "traceback": text}


def exception_fields(data: Any) -> dict[str, str]:
    """Validate an exception description from the wire: the three capped strings (``ProtocolError`` else)."""
    if type(data) is not dict:
        raise ProtocolError("exception description is not an object")
    return {
        "type": str(data.get("type", "?"))[:200],
        "message": str(data.get("message", ""))[: TEXT_CAP + 10],
        "traceback": str(data.get("traceback", ""))[: TEXT_CAP + 10],
    }


def describe_warnings(caught: list[Any]) -> list[str]:
    """``"Category: message"`` of the first ``WARNINGS_CAP`` warnings recorded by ``catch_warnings``."""
    described = []
    for record in caught[:WARNINGS_CAP]:
        category = type_name(record.message) if isinstance(record.message, Warning) else "Warning"
        described.append(f"{category}: {safe_text(record.message)}"[:WARNING_CHARS])
    return described
