"""The wire between the grader and the sandbox: framing, the value codec, and exceptions as plain data.

This is the only code that runs on both sides of the trust boundary. It is imported by the parent as
``activation_lab.sandbox.wire`` and copied into the sandbox beside ``worker.py``; it imports only the standard
library (and NumPy, lazily) and never anything of the ``activation_lab`` package.

Frames are a 4-byte big-endian length followed by UTF-8 JSON. Nothing is ever pickled: values are plain
JSON, NumPy scalars as ``{"scalar": dtype, "char": code, "value": ...}`` and arrays as
``{"dtype": "<f8", "shape": [2, 3], "raw": base64 of the C-order bytes}``; the receiver checks the dtype
against ``DTYPE_STR`` and shape × itemsize against the bytes present and its cap before allocating.
``docs/security.md`` (the protocol section) describes every message.

Why one long module: it is the only code both sides run, copied into the sandbox as one file; the encoder and
its bounded decoder are reviewed side by side.
"""

from __future__ import annotations

import binascii
import functools
import json
import os
import re
import select
import socket
import struct
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

FRAME_HEADER = struct.Struct(">I")
# ``json.dumps(message, separators=(",", ":"))`` builds an encoder per call; this one is built once
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
MAX_INT_BITS = 1024
MAX_DEPTH = 8
TEXT_CAP = 2000
WARNINGS_CAP = 20
MAX_ITEMS = 10_000  # elements of one list/tuple on the wire (the encoder sends larger ones as opaque)
MAX_NODES = 100_000  # values in one decoded reply, all levels together
MAX_NDIM = 32  # NumPy's own limit is 64; the suites send at most 2
# A dtype the wire carries: byte order, kind (bool, signed, unsigned, float, complex) and item size; nothing
# structured, no subarrays, objects, strings or datetimes.
DTYPE_STR = re.compile(r"[<>|=][biufc](?:1|2|4|8|10|12|16|32)")
ARGS_UNKNOWN = "unknown"  # ``{"args_after": {"unknown": reason}}``: the worker could not encode them
ARGS_CHANGED = "changed"  # ``{"args_after": {"changed": {"0": value}}}``: only the arguments the call changed
WARNING_CHARS = 500
TRACEBACK_LINES = 5
MAX_BATCH_CALLS = 64  # calls in one ``{"calls": [...]}`` request; the parent splits longer lists
MAX_CALLABLES = 256  # names in the worker's ``"callables"``; a module with more sends ``null`` (ask each)
NAME_CHARS = 100  # longest name listed there (longer ones are left out: the parent asks about them)


class ProtocolError(Exception):
    """A frame or value that breaks the wire format (too large, malformed, wrong kind)."""


# ----------------------------------------------------------------------------------------------------
# Framing: one writer, one reader (with an optional absolute deadline)


def send_frame(sock: socket.socket, message: Any, fds: list[int] | None = None) -> None:
    """Send one length-prefixed JSON frame, optionally passing file descriptors (SCM_RIGHTS) with it."""
    body = _COMPACT_JSON.encode(message).encode("utf-8")
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


class FrameReader:
    """Frames from one socket read in chunks, so replies that are already there cost one ``recv`` together.

    Bounded like :func:`recv_frame`: a frame's declared size is checked against ``max_bytes`` as soon as its
    header is in, and the frames read are dropped before the next ``recv``, so the buffer never holds more
    than one frame and one chunk. A frame already received is returned even past ``deadline`` (it arrived in
    time); waiting for more raises ``TimeoutError`` there.
    """

    CHUNK = 1 << 16

    def __init__(self, sock: socket.socket, max_bytes: int) -> None:
        self.sock = sock
        self.max_bytes = max_bytes
        self.buffer = bytearray()
        self.start = 0  # where the next frame begins in ``buffer`` (the bytes before it were returned)

    def frame(self, deadline: float) -> Any:
        """The next frame (``EOFError`` if closed, ``ProtocolError`` if bad, ``TimeoutError``)."""
        buffer = self.buffer
        while True:
            start = self.start
            needed = start + FRAME_HEADER.size
            if len(buffer) >= needed:
                (size,) = FRAME_HEADER.unpack_from(buffer, start)
                if size > self.max_bytes:
                    raise ProtocolError(f"frame of {size} bytes exceeds the cap of {self.max_bytes}")
                needed += size
                if len(buffer) >= needed:
                    self.start = needed
                    try:
                        return _json_value(buffer[needed - size : needed].decode("utf-8"))
                    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                        raise ProtocolError(f"malformed frame: {type(exc).__name__}") from None
            if start:  # only the unread part stays: one frame at most, before one chunk more
                del buffer[:start]
                self.start = 0
                needed -= start
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
                raise TimeoutError
            chunk = self.sock.recv(min(max(self.CHUNK, needed - len(buffer)), 1 << 20))
            if not chunk:
                raise EOFError("channel closed")
            buffer += chunk


# json.loads's own C scanner, called without the wrapper around it (a reply frame is parsed per student call)
_SCAN_JSON: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json_value(text: str) -> Any:
    """``json.loads(text)``: the same value, or the same error (a text the scanner alone cannot take)."""
    try:
        value, end = _SCAN_JSON(text, 0)
    except StopIteration:  # not a value at the very start (whitespace, a BOM, nothing): json.loads says why
        return json.loads(text)
    if end != len(text):  # trailing whitespace or extra data
        return json.loads(text)
    return value


# ----------------------------------------------------------------------------------------------------
# Values on the wire


def type_name(value: Any) -> str:
    """The real name of ``value``'s class, read without calling any method of the class or its metaclass."""
    name = type.__dict__["__name__"].__get__(type(value), type)
    return name if type(name) is str else "?"


def _numpy() -> Any:
    import numpy

    return numpy


def has_opaque(encoded: Any) -> bool:
    """Whether encoded data holds an ``{"opaque"}`` value anywhere (arguments must not)."""
    if type(encoded) is list:
        return any(has_opaque(item) for item in encoded)
    if type(encoded) is dict:
        if "opaque" in encoded:
            return True
        items = encoded.get("list", encoded.get("tuple"))
        return items is not None and has_opaque(items)
    return False


def _raw_b64(array: Any) -> str:
    """The array's bytes in C order (``tobytes`` gives that order for any layout), base64: the receiver
    rebuilds it from the declared dtype and shape."""
    return binascii.b2a_base64(array.tobytes(), newline=False).decode("ascii")


def _encode_array(value: Any, max_array_bytes: int) -> Any:
    """An ``ndarray`` (exactly that type) as ``{"dtype", "shape", "raw"}``, or opaque."""
    dtype = value.dtype
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.metadata:
        return {"opaque": f"ndarray[{dtype.name}]"}
    if value.nbytes > max_array_bytes:
        return {"opaque": f"ndarray (too large: {value.nbytes} bytes)"}
    return {"dtype": dtype.str, "shape": list(value.shape), "raw": _raw_b64(value)}


@functools.cache
def _scalar_types(np: Any) -> frozenset[type]:
    return frozenset(t for t in np.sctypeDict.values() if isinstance(t, type) and issubclass(t, np.generic))


@functools.cache
def _scalar_forms(np: Any) -> dict[type, tuple[str, str, str] | None]:
    """Every NumPy scalar type, with ``(kind, dtype.str, dtype.char)`` where :func:`encode_value` has a short
    way (booleans, integers, floats of at most 8 bytes), else ``None`` (``_encode_scalar`` decides).

    A number of one of these exact types always has its type's native dtype, so those three are the type's.
    """
    forms: dict[type, tuple[str, str, str] | None] = {}
    for kind in _scalar_types(np):
        dtype = np.dtype(kind)
        short = dtype.kind in "biu" or (dtype.kind == "f" and dtype.itemsize <= 8)
        forms[kind] = (dtype.kind, dtype.str, dtype.char) if short else None
    return forms


def encode_value(
    value: Any, *, max_array_bytes: int = 1 << 20, _depth: int = 0, _count: list[int] | None = None
) -> Any:
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
    numpy = sys.modules.get("numpy")  # before lists: most values on the wire are arrays
    if numpy is not None and kind is numpy.ndarray:
        return _encode_array(value, max_array_bytes)
    if kind in (list, tuple):
        count = [0] if _count is None else _count  # values sent so far, the decoder's MAX_NODES
        count[0] += len(value)
        if _depth >= MAX_DEPTH or len(value) > MAX_ITEMS or count[0] >= MAX_NODES:
            return {"opaque": f"{kind.__name__} (too large)"}
        items = [
            encode_value(v, max_array_bytes=max_array_bytes, _depth=_depth + 1, _count=count) for v in value
        ]
        return {kind.__name__: items}
    if numpy is None:
        return {"opaque": type_name(value)}
    form = _scalar_forms(numpy).get(kind, _NOT_SCALAR)
    if form is None:
        return _encode_scalar(value, numpy)
    if form is not _NOT_SCALAR:  # what ``_encode_scalar`` says, from the type's dtype found once
        dtype_kind, dtype_str, dtype_char = form
        item = repr(float(value)) if dtype_kind == "f" else value.item()
        return {"scalar": dtype_str, "char": dtype_char, "value": item}
    figure_module = sys.modules.get("matplotlib.figure")
    if figure_module is not None and kind is getattr(figure_module, "Figure", None):
        return _encode_figure(value, max_array_bytes)
    return {"opaque": type_name(value)}


_NOT_SCALAR = ("", "", "")  # ``_scalar_forms``'s answer for a type that is no NumPy scalar type


def _encode_scalar(value: Any, np: Any) -> Any:
    """A NumPy scalar (exactly one of ``_scalar_types``) read from its dtype: every kind, the general way."""
    dtype = value.dtype
    if dtype.kind not in "biufc":
        return {"opaque": type_name(value)}
    if (dtype.kind == "f" and dtype.itemsize > 8) or (dtype.kind == "c" and dtype.itemsize > 16):
        return {"scalar": dtype.str, "char": dtype.char, "raw": _raw_b64(np.array(value))}
    if dtype.kind == "c":
        pair = complex(value)
        return {"scalar": dtype.str, "char": dtype.char, "value": [repr(pair.real), repr(pair.imag)]}
    item = repr(float(value)) if dtype.kind == "f" else value.item()
    return {"scalar": dtype.str, "char": dtype.char, "value": item}


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


def wire_dtype(text: Any) -> Any:
    """The NumPy dtype named by ``text`` if it is one the wire carries (``ProtocolError`` else)."""
    if type(text) is not str:
        raise ProtocolError(f"dtype {str(text)[:40]!r} is not one the wire carries")
    return _known_dtype(text)


@functools.lru_cache(maxsize=256)  # only texts that pass are kept: DTYPE_STR names fewer than 256
def _known_dtype(text: str) -> Any:
    if not DTYPE_STR.fullmatch(text):
        raise ProtocolError(f"dtype {str(text)[:40]!r} is not one the wire carries")
    try:
        dtype = _numpy().dtype(text)
    except TypeError:
        raise ProtocolError(f"dtype {text!r} is not one the wire carries") from None
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"dtype {text!r} is not one the wire carries")
    return dtype


def checked_shape(shape: Any, itemsize: int, present: int, max_array_bytes: int) -> tuple[int, ...]:
    """``shape`` as a tuple, checked against the bytes present and the cap before any allocation."""
    total = _expected_bytes(shape, itemsize, max_array_bytes)
    if total != present:
        raise ProtocolError(f"array shape needs {total} bytes, {present} are present")
    return tuple(shape)


def _load_raw(text: Any, dtype_text: Any, shape: Any, max_array_bytes: int) -> Any:
    """An array from its declared dtype and shape and its base64 bytes, all checked before allocating."""
    dtype = wire_dtype(dtype_text)
    if type(text) is not str or len(text) > (max_array_bytes + 2) // 3 * 4:
        raise ProtocolError("array payload too large or not text")
    expected = _expected_bytes(shape, dtype.itemsize, max_array_bytes)
    if len(text) != (expected + 2) // 3 * 4:
        raise ProtocolError("array payload does not match its declared dtype and shape")
    try:
        raw = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)  # base64.b64decode(validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ProtocolError(f"unreadable array payload: {type(exc).__name__}") from None
    if len(raw) != expected:  # checked_shape's test, the shape being checked already
        raise ProtocolError(f"array shape needs {expected} bytes, {len(raw)} are present")
    # a C-order view of exactly those bytes, copied: writeable and its own (one call less than
    # ``frombuffer(...).reshape(shape)``, the same array)
    return _numpy().ndarray(shape, dtype, raw).copy()


def _expected_bytes(shape: Any, itemsize: int, max_array_bytes: int) -> int:
    if type(shape) is not list or len(shape) > MAX_NDIM:
        raise ProtocolError("array shape is not a short list of sizes")
    total = itemsize
    for size in shape:
        if type(size) is not int or size < 0 or size > max_array_bytes:
            raise ProtocolError("array shape has a bad size")
        total *= size
        if total > max_array_bytes:
            raise ProtocolError(f"array of more than {max_array_bytes} bytes")
    return total


def decode_value(
    data: Any, *, opaque: Callable[[str], Any], max_array_bytes: int = 1 << 20, _depth: int = 0
) -> Any:
    """Turn wire data back into a value: a number, NumPy scalar, ``ndarray``, list/tuple or ``opaque(name)``.

    The parent passes its ``Opaque`` record; inside the sandbox opaque arguments never occur. Bounded
    before any work: nesting (``MAX_DEPTH``), items per list (``MAX_ITEMS``), values in all
    (``MAX_NODES``), dtypes (``DTYPE_STR``), array shapes and bytes (``max_array_bytes``); beyond a bound
    or malformed → ``ProtocolError``.
    """
    if type(data) is dict and len(data) == 3 and _depth <= MAX_DEPTH:
        # the encoder's scalars and arrays, as ``_Decoder.value`` decodes them (one value, one node)
        if "scalar" in data and "char" in data and "value" in data:
            return _decode_scalar(data, max_array_bytes)
        if "raw" in data and "dtype" in data and "shape" in data:
            return _load_raw(data["raw"], data["dtype"], data["shape"], max_array_bytes)
    return _Decoder(opaque, max_array_bytes).value(data, _depth)


class _Decoder:
    def __init__(self, opaque: Callable[[str], Any], max_array_bytes: int) -> None:
        self.opaque = opaque
        self.max_array_bytes = max_array_bytes
        self.nodes = 0

    def value(self, data: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ProtocolError(f"more than {MAX_NODES} values in one reply")
        if data is None or type(data) in (bool, float):
            return data
        if type(data) is int:
            if data.bit_length() > MAX_INT_BITS:
                raise ProtocolError("integer too large")
            return data
        if type(data) is not dict or len(data) == 0 or depth > MAX_DEPTH:
            raise ProtocolError(f"malformed value {type(data).__name__}")
        if len(data) == 3:  # the encoder's scalars and arrays, whose keys hold none of the kinds tried first
            if "scalar" in data and "char" in data and "value" in data:
                return self.scalar(data)
            if "raw" in data and "dtype" in data and "shape" in data:
                return _load_raw(data["raw"], data["dtype"], data["shape"], self.max_array_bytes)
        if "opaque" in data:
            return self.opaque(_short_text(data["opaque"], 200))
        if "figure" in data:
            return _decode_figure(data["figure"], self.opaque, self.max_array_bytes)
        if "float" in data:
            return float(_short_text(data["float"], 64))
        if "complex" in data:
            pair = data["complex"]
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("complex value is not a pair")
            return complex(float(_short_text(pair[0], 64)), float(_short_text(pair[1], 64)))
        for kind in ("list", "tuple"):
            if kind in data:
                items = data[kind]
                if type(items) is not list or len(items) > MAX_ITEMS or depth >= MAX_DEPTH:
                    raise ProtocolError(f"{kind} too long, too deep or malformed")
                decoded = [self.value(v, depth + 1) for v in items]
                return decoded if kind == "list" else tuple(decoded)
        if "scalar" in data:
            return self.scalar(data)
        if "raw" in data:
            return _load_raw(data["raw"], data.get("dtype"), data.get("shape"), self.max_array_bytes)
        raise ProtocolError(f"unknown value kind {sorted(map(str, data))[:3]}")

    def scalar(self, data: dict[str, Any]) -> Any:
        return _decode_scalar(data, self.max_array_bytes)


def _decode_scalar(data: dict[str, Any], max_array_bytes: int) -> Any:
    """A NumPy scalar from ``{"scalar", "char", "value"}`` (or ``"raw"``): a type code checked before is
    looked up (``_CODED_SCALARS``), then what ``_checked_scalar`` would do with it is done."""
    text, char = data["scalar"], data.get("char")
    coded = _CODED_SCALARS.get((text, char)) if type(text) is str and type(char) is str else None
    if coded is not None and "raw" not in data:
        dtype_kind, make = coded
        item = data.get("value")
        if dtype_kind == "f":
            return make(float(_short_text(item, 64) if type(item) is str else _number(item)))
        if dtype_kind != "c" and type(item) in (int, bool):
            return make(item)
    return _checked_scalar(data, max_array_bytes)


def _checked_scalar(data: dict[str, Any], max_array_bytes: int) -> Any:
    """A NumPy scalar, every field checked (the pairs of dtype and type code that pass are remembered)."""
    dtype = wire_dtype(data["scalar"])
    if "char" in data:  # tells apart types of one layout, e.g. int64 and longlong
        char = data["char"]
        if type(char) is not str or len(char) != 1:
            raise ProtocolError("scalar type code does not match its dtype")
        dtype = _coded_dtype(dtype.str, char)
        if type(data["scalar"]) is str and len(_CODED_SCALARS) < 256:  # both texts passed every check
            _CODED_SCALARS[data["scalar"], char] = (dtype.kind, dtype.type)
    if "raw" in data:
        return _load_raw(data["raw"], dtype.str, [], max_array_bytes).astype(dtype)[()]
    item = data.get("value")
    if dtype.kind == "c":
        if type(item) is not list or len(item) != 2:
            raise ProtocolError("complex scalar is not a pair")
        return dtype.type(complex(float(_short_text(item[0], 64)), float(_short_text(item[1], 64))))
    if dtype.kind == "f":
        return dtype.type(float(_short_text(item, 64) if type(item) is str else _number(item)))
    if type(item) not in (int, bool):
        raise ProtocolError("integer scalar without an integer value")
    return dtype.type(item)


# (dtype text, type code) -> (kind, scalar type) of the pairs that ``_Decoder._scalar`` checked and accepted
_CODED_SCALARS: dict[tuple[Any, Any], tuple[str, Any]] = {}


@functools.lru_cache(maxsize=256)  # only pairs that pass are kept: a few dozen type codes per dtype
def _coded_dtype(dtype_str: str, char: str) -> Any:
    """The dtype of type code ``char`` (one character), which must have the layout ``dtype_str``."""
    np = _numpy()
    if char not in np.typecodes["All"] or np.dtype(char).str != dtype_str:
        raise ProtocolError("scalar type code does not match its dtype")
    return np.dtype(char)


def _short_text(text: Any, cap: int) -> str:
    if type(text) is not str or len(text) > cap:
        raise ProtocolError("text field too long or not text")
    return text


def _number(item: Any) -> float:
    if type(item) not in (int, float):
        raise ProtocolError("number field is not a number")
    return float(item)


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
