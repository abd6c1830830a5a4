"""The worker's cheaper call path held to the general one: the same replies, frames and warning state.

``worker._call`` records warnings without ``warnings.catch_warnings``, decodes plain numbers without a
decoder, and ``worker._send_reply`` encodes a reply with one C encoder built once; ``wire`` encodes the common
NumPy scalars from their type's dtype found once, decodes the encoder's scalars and arrays without trying
every other kind first, and remembers the scalar type codes it accepted. ``general_answer`` below is the
worker's call as it was written before (``catch_warnings(record=True)`` + ``simplefilter("always")``, the
full decoder): every case is answered by both, in fresh modules, and compared, with the state of the
``warnings`` module during and after the call.
"""

from __future__ import annotations

import contextlib
import json
import socket
import types
import warnings
from typing import Any

import numpy as np
import pytest

from activation_lab.records import Opaque
from activation_lab.sandbox import wire, worker

CAP = 1 << 20

STUDENT = """
import sys
import warnings
import numpy as np

seen = []

def overflow(x):
    return np.exp(np.asarray(x, dtype=float) * 1000.0)

def warn_twice(x):
    warnings.warn("careful", UserWarning)
    warnings.warn("careful", UserWarning)
    return x

def warn_many(x):
    for i in range(30):
        warnings.warn(f"number {i}", RuntimeWarning)
    return x

def ignore_inside(x):
    warnings.simplefilter("ignore")
    warnings.warn("hidden")
    seen.append((list(warnings.filters), warnings.showwarning is warnings._showwarning_orig))
    return x

def error_inside(x):
    warnings.filterwarnings("error", category=UserWarning)
    warnings.warn("now an error", UserWarning)
    return x

def filters_seen(x):
    original = warnings.showwarning is warnings._showwarning_orig
    seen.append((list(warnings.filters), original, type(warnings._showwarnmsg_impl).__name__))
    return x

def replace_hooks(x):
    warnings.showwarning = print
    warnings._showwarnmsg_impl = print
    warnings.filters = [("error", None, Warning, None, 0)]
    return x

def nested(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.warn("inner")
    warnings.warn("outer")
    return x

def registry_version(x):
    warnings.simplefilter("default")
    warnings.warn("counted")
    return __warningregistry__["version"]

def mutate(x):
    x[0] = -x[0]
    x[-1] = 99
    return 0

def noisy(x):
    print("hello", x)
    print("é" * 3, file=sys.stderr)
    return x

def loud(x):
    print("z" * 500)
    return x

def raises(x):
    warnings.warn("before the error")
    print("said")
    raise ValueError(f"bad {x}")

def same(*args):
    return args
"""


def student() -> types.ModuleType:
    module = types.ModuleType("student_fast")
    exec(STUDENT, module.__dict__)
    return module


def general_answer(module: Any, request: dict[str, Any], work_dir: str, max_array: int, out: Any) -> Any:
    """The worker's ``_answer`` as it was written before the fast paths (the specification they keep)."""
    ident = request.get("id")
    name = request.get("name")
    target = getattr(module, "__dict__", {}).get(name) if type(name) is str else None
    if "defines" in request:
        return {"id": ident, "defines": callable(target)}
    sent = request.get("args", [])
    args = [wire.decode_value(a, max_array_bytes=max_array, opaque=lambda name: None) for a in sent]
    kept = [worker._kept(a) for a in args]
    reply: dict[str, Any] = {"id": ident}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not callable(target):
                raise AttributeError(f"module {module.__name__!r} has no function {name!r}")
            result = target(*args)
            reply["ok"] = _general_encode(result)
        except BaseException as exc:
            reply["raised"] = wire.describe_exception(exc, work_dir)
    try:
        changed = {}
        for i, (arg, before, data) in enumerate(zip(args, kept, sent, strict=True)):
            if before is not None and worker._left_alone(arg, before):
                continue
            after = _general_encode(arg)
            if after != data:
                changed[str(i)] = after
        reply["args_after"] = {wire.ARGS_CHANGED: changed}
    except BaseException as exc:
        reply["args_after"] = {wire.ARGS_UNKNOWN: wire.type_name(exc)}
    reply["warnings"] = wire.describe_warnings(caught)
    reply["stdout"] = out.take()
    return reply


def _general_encode(value: Any) -> Any:
    """``encode_value`` with NumPy scalars read from their dtype (``wire._encode_scalar``), never a form."""
    if type(value) in wire._scalar_types(np):
        return wire._encode_scalar(value, np)
    if type(value) in (list, tuple):
        return {type(value).__name__: [_general_encode(item) for item in value]}
    return wire.encode_value(value, max_array_bytes=CAP)


def warning_state() -> tuple[Any, ...]:
    return (warnings.filters, list(warnings.filters), warnings.showwarning, warnings._showwarnmsg_impl)  # type: ignore[attr-defined]


CASES = [
    pytest.param("overflow", [2.0], id="numpy-warning"),
    pytest.param("overflow", [np.arange(3.0)], id="numpy-warning-array"),
    pytest.param("warn_twice", [1], id="same-warning-twice"),
    pytest.param("warn_many", [1], id="more-than-the-cap"),
    pytest.param("ignore_inside", [0.5], id="simplefilter-inside"),
    pytest.param("error_inside", [0.5], id="filterwarnings-error-inside"),
    pytest.param("filters_seen", [0.5], id="filters-in-force"),
    pytest.param("replace_hooks", [0.5], id="hooks-replaced"),
    pytest.param("nested", [0.5], id="nested-catch-warnings"),
    pytest.param("mutate", [np.array([1.0, 2.0, 3.0])], id="argument-mutated"),
    pytest.param("mutate", [[1, 2.5]], id="list-argument-mutated"),
    pytest.param("noisy", [3], id="stdout"),
    pytest.param("loud", [3], id="stdout-over-the-cap"),
    pytest.param("raises", [np.float64(2.5)], id="raises-after-warning"),
    pytest.param("missing", [1], id="no-such-function"),
    pytest.param("same", [], id="no-arguments"),
    pytest.param(
        "same",
        [0, -3, 2.5, True, None, 1 << 70, np.float64(1e-9), np.int64(-4), np.float32(1.5), np.uint8(7)],
        id="scalar-kinds",
    ),
    pytest.param(
        "same", [np.bool_(True), np.float16(0.5), np.complex128(1 - 2j), np.uint64(1 << 63)], id="rare"
    ),
    pytest.param("same", [np.array(0.75), np.zeros((0, 2), dtype=int), np.array([[-1, 2]])], id="arrays"),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_a_call_answers_as_the_general_path_did(name: str, args: list[Any]) -> None:
    sent = json.loads(json.dumps([wire.encode_value(a, max_array_bytes=CAP) for a in args]))
    replies, during, after = [], [], []
    for answer in (general_answer, worker._answer):
        module = student()
        before = warning_state()
        out = worker.CappedWriter(100)
        request = {"id": 4, "name": name, "args": json.loads(json.dumps(sent))}
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):  # as in the worker
            replies.append(answer(module, request, "/nowhere", CAP, out))
        during.append(module.seen)  # type: ignore[attr-defined]
        assert warning_state()[0] is before[0]  # the very list the call found
        assert warning_state()[1:] == before[1:]
        after.append(warning_state()[1:])
        assert out.take() == ""
    assert replies[0] == replies[1]
    assert json.dumps(replies[0]) == json.dumps(replies[1])  # the same keys in the same order
    assert during[0] == during[1]
    assert after[0] == after[1]


def test_the_filters_in_force_are_the_callers_with_always_first() -> None:
    module = student()
    out = worker.CappedWriter(100)
    original = warnings.filters
    try:
        warnings.filters = [worker._ALWAYS, ("ignore", None, UserWarning, None, 0), worker._ALWAYS]
        for answer in (general_answer, worker._answer):
            answer(module, {"name": "filters_seen", "args": [1]}, "/", CAP, out)
        general, fast = module.seen
        assert general == fast
        assert fast[0] == [worker._ALWAYS, ("ignore", None, UserWarning, None, 0), worker._ALWAYS]
        assert warnings.filters[0] == worker._ALWAYS and len(warnings.filters) == 3
    finally:
        warnings.filters = original


def test_the_filters_version_moves_as_often() -> None:
    deltas = []
    for answer in (general_answer, worker._answer):
        module = student()
        out = worker.CappedWriter(100)
        request = {"name": "registry_version", "args": [0]}
        first, second = (answer(module, request, "/", CAP, out)["ok"] for _ in range(2))
        deltas.append(second - first)
    assert deltas[0] == deltas[1] > 0


# ---------------------------------------------------------------------------------------------------
# Frames: the same bytes, the same key order


def frames(run: Any) -> list[bytes]:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        run(theirs)
        theirs.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := ours.recv(1 << 16):
            data += chunk
    found = []
    while data:
        (size,) = wire.FRAME_HEADER.unpack_from(data)
        found.append(data[: wire.FRAME_HEADER.size + size])
        data = data[wire.FRAME_HEADER.size + size :]
    return found


def general_batch(channel: socket.socket, module: Any, request: dict[str, Any], out: Any) -> None:
    """The worker's ``_answer_batch`` as it was written before (``general_answer``, ``wire.send_frame``)."""
    ident = request.get("id")
    for index, call in enumerate(request["calls"]):
        try:
            if type(call) is not dict:
                raise ValueError("malformed batch request")
            single = {"name": call.get("name"), "args": call.get("args", [])}
            reply = general_answer(module, single, "/nowhere", CAP, out)
        except BaseException as exc:
            reply = {"raised": wire.describe_exception(exc, "/nowhere")}
        reply["id"] = ident
        reply["index"] = index
        wire.send_frame(channel, reply)
        if "raised" in reply:
            return


def test_a_batch_sends_the_same_bytes() -> None:
    calls = [
        {"name": "noisy", "args": [wire.encode_value(np.arange(4.0))]},
        {"name": "overflow", "args": [wire.encode_value(np.float64(3))]},
        {"name": "same", "args": [{"float": "nan"}, {"complex": ["1.0", "-0.0"]}]},
        {"name": "same", "args": [{"tuple": [1, {"list": []}]}]},
        {"name": "same", "args": [{"scalar": "<f8", "char": "d", "value": [1]}]},  # refused: stops the batch
        {"name": "same", "args": [0]},
    ]
    request = {"id": [7, "é"], "calls": json.loads(json.dumps(calls))}
    outs = [worker.CappedWriter(100), worker.CappedWriter(100)]
    modules = [student(), student()]

    def old(channel: socket.socket) -> None:
        with contextlib.redirect_stdout(outs[0]), contextlib.redirect_stderr(outs[0]):
            general_batch(channel, modules[0], request, outs[0])

    def new(channel: socket.socket) -> None:
        with contextlib.redirect_stdout(outs[1]), contextlib.redirect_stderr(outs[1]):
            worker._answer_batch(channel, modules[1], request, "/nowhere", CAP, outs[1])

    sent = [frames(old), frames(new)]
    old, new = sent
    assert len(old) == 5 and old == new
    assert b"hello" in old[0] and b"RuntimeWarning" in old[1]


def test_the_reply_frame_keeps_its_key_order() -> None:
    module = types.ModuleType("m")
    module.f = lambda x: x  # type: ignore[attr-defined]
    request = {"id": 7, "calls": [{"name": "f", "args": [2]}, {"name": "g", "args": []}]}
    sent = frames(
        lambda channel: worker._answer_batch(channel, module, request, "/", CAP, worker.CappedWriter(9))
    )
    bodies = [json.loads(frame[wire.FRAME_HEADER.size :]) for frame in sent]
    assert sent[0][wire.FRAME_HEADER.size :] == (
        b'{"id":7,"ok":2,"args_after":{"changed":{}},"warnings":[],"stdout":"","index":0}'
    )
    assert list(bodies[1]) == ["id", "raised", "args_after", "warnings", "stdout", "index"]
    request["calls"] = [None]
    sent = frames(
        lambda channel: worker._answer_batch(channel, module, request, "/", CAP, worker.CappedWriter(9))
    )
    assert list(json.loads(sent[0][wire.FRAME_HEADER.size :])) == ["raised", "id", "index"]


@pytest.mark.parametrize(
    "reply",
    [
        {"id": 1, "ok": 0.1, "stdout": 'é\n\u2028\x00"\\', "warnings": ["a"]},
        {"id": None, "ok": {"float": "nan"}, "x": [float("nan"), float("inf"), -0.0, 1e300, 1 << 80]},
        {"id": {"nested": [[[]]]}, "ok": True, "index": 63},
    ],
)
def test_send_reply_writes_what_send_frame_writes(reply: dict[str, Any]) -> None:
    assert frames(lambda channel: worker._send_reply(channel, reply)) == frames(
        lambda channel: wire.send_frame(channel, reply)
    )


# ---------------------------------------------------------------------------------------------------
# The codec's short ways


def scalar_samples() -> list[Any]:
    found = []
    for kind in sorted(wire._scalar_types(np), key=lambda t: t.__name__):
        if np.dtype(kind).kind not in "biufc":
            continue
        values = [0, 1, True] if np.dtype(kind).kind == "b" else [0, 1, 7]
        if np.dtype(kind).kind in "ifc":
            values.append(-5)
        if np.dtype(kind).kind in "fc":
            values += [np.nan, np.inf, -0.0, 0.1]
        found += [kind(v) for v in values]
        info = np.iinfo(kind) if np.dtype(kind).kind in "iu" else None
        if info is not None:
            found += [kind(info.min), kind(info.max)]
    return found


def test_numpy_scalars_encode_as_from_their_dtype() -> None:
    samples = scalar_samples()
    assert {type(v) for v in samples} >= {np.float64, np.int64, np.float32, np.bool_, np.uint8, np.longdouble}
    for value in samples:
        assert wire.encode_value(value) == wire._encode_scalar(value, np), repr(value)


def test_subclasses_and_other_numpy_scalars_stay_opaque() -> None:
    class Sneaky(np.float64):
        pass

    assert wire.encode_value(Sneaky(1.0)) == {"opaque": "Sneaky"}
    assert wire.encode_value(np.str_("x")) == {"opaque": "str_"}
    assert wire.encode_value(np.datetime64("2020-01-01")) == {"opaque": "datetime64"}


def test_plain_numbers_decode_as_the_decoder_does() -> None:
    for data in (0, -1, 1 << 1023, 2.5, -0.0, True, False, None):
        assert worker.decode_student_arg(data, CAP) is data
    for data in (1 << 1024, "text", [1]):
        with pytest.raises(wire.ProtocolError):
            worker.decode_student_arg(data, CAP)


def decoded_twice(data: dict[str, Any]) -> list[Any]:
    """``data`` decoded through the decoder's first (uncached) and second (cached) ways, or the errors."""
    results = []
    for _ in range(2):
        try:
            results.append(wire.decode_value(data, opaque=Opaque))
        except wire.ProtocolError as exc:
            results.append(str(exc))
    return results


@pytest.mark.parametrize(
    "data",
    [
        {"scalar": "<f8", "char": "d", "value": "0.1"},
        {"scalar": "<f8", "char": "d", "value": 2},
        {"scalar": "<f8", "char": "d", "value": "nan"},
        {"scalar": "<f8", "char": "d", "value": [1]},
        {"scalar": "<f8", "char": "d", "value": "1" * 65},
        {"scalar": "<i8", "char": "q", "value": 3},
        {"scalar": "<i8", "char": "q", "value": 3.5},
        {"scalar": "|b1", "char": "?", "value": True},
        {"scalar": "<c16", "char": "D", "value": ["1.0", "2.0"]},
        {"scalar": "<c16", "char": "D", "value": 1},
        {"scalar": "<f8", "char": "g", "value": "1.0"},
    ],
)
def test_a_scalar_decodes_the_same_from_the_remembered_type_code(data: dict[str, Any]) -> None:
    first, second = decoded_twice(data)
    general = wire._checked_scalar(data, CAP) if type(first) is not str else first
    assert type(first) is type(second) is type(general)
    assert repr(first) == repr(second) == repr(general)


def test_the_remembered_type_codes_are_only_those_that_passed() -> None:
    for number in range(300):
        with pytest.raises(wire.ProtocolError):
            wire.decode_value({"scalar": "<f8", "char": chr(300 + number), "value": "1"}, opaque=Opaque)
    assert all(type(a) is str and type(b) is str and len(b) == 1 for a, b in wire._CODED_SCALARS)
    assert len(wire._CODED_SCALARS) < 64
    with pytest.raises(wire.ProtocolError):  # unhashable texts are refused, not a TypeError
        wire.decode_value({"scalar": ["<f8"], "char": "d", "value": "1"}, opaque=Opaque)
    with pytest.raises(wire.ProtocolError):
        wire.decode_value({"scalar": "<f8", "char": ["d"], "value": "1"}, opaque=Opaque)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"opaque": "x", "raw": "", "dtype": "<f8"}, Opaque("x")),
        ({"list": [1], "scalar": "<f8", "char": "d"}, [1]),
        ({"float": "inf", "raw": "AAAAAAAA8D8=", "shape": []}, float("inf")),
        ({"scalar": "<f8", "char": "d", "raw": "AAAAAAAA8D8="}, np.float64(1.0)),
    ],
)
def test_three_keys_that_are_not_a_scalar_or_an_array_keep_the_order_of_kinds(
    data: Any, expected: Any
) -> None:
    decoded = wire.decode_value(data, opaque=Opaque)
    assert type(decoded) is type(expected) and decoded == expected


def test_arrays_decode_as_writeable_c_order_copies() -> None:
    for value in (np.array(0.75), np.zeros((0, 2), dtype=int), np.arange(6.0).reshape(2, 3)):
        back = wire.decode_value(json.loads(json.dumps(wire.encode_value(value))), opaque=Opaque)
        general = np.frombuffer(value.tobytes(), dtype=value.dtype).reshape(value.shape).copy()
        assert back.tobytes() == general.tobytes() and back.shape == general.shape
        assert back.dtype == general.dtype and back.base is None and general.base is None
        flags = ("C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE", "ALIGNED", "WRITEBACKIFCOPY")
        assert [back.flags[f] for f in flags] == [general.flags[f] for f in flags]
        assert back.strides == general.strides


def test_take_after_nothing_written_and_after_writes() -> None:
    out = worker.CappedWriter(5)
    assert out.take() == ""
    out.write("")
    assert out.take() == ""
    out.write("abcdefg")
    assert out.take() == "abcde\n[... 2 more characters dropped]"
    assert (out.parts, out.size, out.dropped) == ([], 0, 0)
    out.size = 3  # whatever changed the count, it is reset as before
    assert out.take() == "" and out.size == 0
