"""The trusted side of one student call: every shortcut gives what the general path gives (issue 9).

A reply of the common shape, its value (a float, a float NumPy scalar, an array), its frame's JSON, the size
bound of the arguments, the opaque-argument test, the reply's id and index, and the grading side's output
rules and comparison each have a fast path; here each is run beside the general path on the same data, valid
and malformed: the same value, or the same protocol violation.
"""

from __future__ import annotations

import binascii
import json
import math
import random
import socket
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from activation_lab.course import load_course
from activation_lab.errors import ExerciseAborted
from activation_lab.grading import checks, timing
from activation_lab.grading.checks import Checker, as_output, compare
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import _TrackedStudent, load_misconceptions
from activation_lab.records import CallResult, Opaque, Raised, Tolerance
from activation_lab.sandbox import session, wire
from activation_lab.sandbox.limits import Limits
from activation_lab.sandbox.session import SandboxedStudent, SubmissionSandbox, _Batch

LIMITS = Limits()
REPO = Path(__file__).resolve().parents[1]


def _raw(array: np.ndarray) -> str:
    return binascii.b2a_base64(array.tobytes(), newline=False).decode("ascii")


def _array(array: np.ndarray) -> dict[str, Any]:
    return {"dtype": array.dtype.str, "shape": list(array.shape), "raw": _raw(array)}


def _outcome(function: Any, *args: Any) -> tuple[str, Any]:
    """``("value", result)`` or ``("error", (type, message))``: what a path gives, comparable."""
    try:
        return "value", function(*args)
    except ExerciseAborted as aborted:
        return "aborted", (aborted.status, aborted.detail, getattr(aborted, "message_key", None))
    except Exception as exc:
        return "error", (type(exc).__name__, str(exc))


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types (arrays: dtype, shape and every element, nan included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, np.generic | float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and np.asarray(a).dtype == np.asarray(b).dtype)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, CallResult):
        return all(_same(getattr(a, f), getattr(b, f)) for f in CallResult.__dataclass_fields__)
    return bool(a == b)


def _same_outcome(fast: tuple[str, Any], general: tuple[str, Any]) -> bool:
    return fast[0] == general[0] and (_same(fast[1], general[1]) if fast[0] == "value" else fast == general)


# --------------------------------------------------------------------------------------------------
# Values: session.decode against wire.decode_value
# --------------------------------------------------------------------------------------------------

GOOD = np.arange(-6.0, 6.0).reshape(3, 4)
VALUES: list[Any] = [
    pytest.param(0.25, id="float"),
    pytest.param(-0.0, id="negative-zero"),
    pytest.param(float("nan"), id="nan-float"),
    pytest.param(True, id="bool"),
    pytest.param(None, id="none"),
    pytest.param(7, id="int"),
    pytest.param(2**1100, id="int-too-large"),
    pytest.param(_array(GOOD), id="array-f8"),
    pytest.param(_array(np.asfortranarray(GOOD)), id="array-fortran"),
    pytest.param(_array(GOOD.astype(">f8")), id="array-big-endian"),
    pytest.param(_array(np.arange(6, dtype=np.int32).reshape(2, 3)), id="array-i4"),
    pytest.param(_array(np.array([True, False])), id="array-bool"),
    pytest.param(_array(np.array([1 + 2j])), id="array-complex"),
    pytest.param(_array(np.zeros((3, 0))), id="array-empty"),
    pytest.param(_array(np.float64(2.5) * np.ones(())), id="array-0d"),
    pytest.param({"dtype": "<f8", "shape": [2], "raw": "AAAA"}, id="array-short-payload"),
    pytest.param({"dtype": "<f8", "shape": [1], "raw": "!!!!!!!!!!!="}, id="array-not-base64"),
    pytest.param({"dtype": "<f8", "shape": [1], "raw": 5}, id="array-raw-not-text"),
    pytest.param({"dtype": "|O", "shape": [1], "raw": "AAAAAAAAAAA="}, id="array-object-dtype"),
    pytest.param({"dtype": ["<f8"], "shape": [1], "raw": "AAAAAAAAAAA="}, id="array-dtype-list"),
    pytest.param({"dtype": "<f8", "shape": "1", "raw": "AAAAAAAAAAA="}, id="array-shape-text"),
    pytest.param({"dtype": "<f8", "shape": [-1], "raw": ""}, id="array-negative-size"),
    pytest.param({"dtype": "<f8", "shape": [1, 2**40], "raw": ""}, id="array-too-large"),
    pytest.param({"dtype": "<f8", "shape": [1], "opaque": "x"}, id="three-keys-not-an-array"),
    pytest.param({"raw": "AAAAAAAAAAA=", "shape": [], "scalar": "<f8"}, id="raw-with-scalar"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "0.1"}, id="scalar-f8"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "nan"}, id="scalar-nan"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "-inf"}, id="scalar-inf"),
    pytest.param({"scalar": "<f4", "char": "f", "value": "0.1"}, id="scalar-f4"),
    pytest.param({"scalar": "<f2", "char": "e", "value": "1.5"}, id="scalar-f2"),
    pytest.param({"scalar": "<f8", "char": "d", "value": " 2.5 "}, id="scalar-spaces"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "x"}, id="scalar-not-a-number"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "1" * 65}, id="scalar-text-too-long"),
    pytest.param({"scalar": "<f8", "char": "d", "value": "1" * 64}, id="scalar-text-at-cap"),
    pytest.param({"scalar": "<f8", "char": "f", "value": "0.5"}, id="scalar-code-mismatch"),
    pytest.param({"scalar": "<f8", "char": "dd", "value": "0.5"}, id="scalar-code-long"),
    pytest.param({"scalar": "=f8", "char": "d", "value": "0.5"}, id="scalar-native-order"),
    pytest.param({"scalar": ">f8", "char": "d", "value": "0.5"}, id="scalar-wrong-order"),
    pytest.param({"scalar": ["<f8"], "char": "d", "value": "0.5"}, id="scalar-dtype-list"),
    pytest.param({"scalar": "<f8", "char": ["d"], "value": "0.5"}, id="scalar-code-list"),
    pytest.param({"scalar": "<f8", "char": "d", "value": 0.5}, id="scalar-float-value"),
    pytest.param({"scalar": "<i8", "char": "l", "value": "5"}, id="scalar-int-text"),
    pytest.param({"scalar": "<f8", "char": "d", "raw": "AAAAAAAA"}, id="scalar-raw"),
    pytest.param({"scalar": "<c16", "char": "D", "value": "0.5"}, id="scalar-complex-text"),
    pytest.param({"list": [0.5, {"scalar": "<f8", "char": "d", "value": "1.0"}]}, id="list"),
    pytest.param({"opaque": "Widget"}, id="opaque"),
    pytest.param({}, id="empty-dict"),
    pytest.param([0.5], id="bare-list"),
    pytest.param("0.5", id="bare-text"),
]


@pytest.mark.parametrize("data", VALUES)
def test_decode_gives_what_the_general_decoder_gives(data: Any) -> None:
    fast = _outcome(session.decode, data, LIMITS)
    general = _outcome(
        lambda d: wire.decode_value(d, max_array_bytes=LIMITS.array_bytes, opaque=Opaque), data
    )
    assert _same_outcome(fast, general), (fast, general)


def test_the_common_values_do_not_reach_the_general_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def general(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the general decoder ran")

    common = [0.5, None, True, _array(GOOD), {"scalar": "<f8", "char": "d", "value": "0.1"}]
    monkeypatch.setattr(wire, "decode_value", general)
    for data in common:
        session.decode(data, LIMITS)
    with pytest.raises(AssertionError):
        session.decode({"list": [1]}, LIMITS)


def test_the_float_scalar_table_is_what_the_decoder_checks() -> None:
    for (dtype_str, char), scalar_type in session._float_scalar_types().items():
        data = {"scalar": dtype_str, "char": char, "value": "0.1"}
        decoded = wire.decode_value(data, opaque=Opaque)
        assert type(decoded) is scalar_type and decoded == scalar_type(0.1)
    assert session._float_scalar_types()[(np.dtype(np.float64).str, "d")] is np.float64


# --------------------------------------------------------------------------------------------------
# The size bound of encoded arguments, and the opaque test
# --------------------------------------------------------------------------------------------------


def _general_size(data: Any) -> int:
    """``encoded_size`` as it was before its fast paths: every value by recursion."""
    kind = type(data)
    if kind is str:
        plain = (data.isascii() and data.isalnum()) or session.PLAIN_TEXT.fullmatch(data)
        return 2 + (len(data) if plain else 6 * len(data))
    total = 2
    if kind is dict:
        for key, value in data.items():
            total += 4 + _general_size(key) + _general_size(value)
        return total
    if kind is list:
        for value in data:
            total += 1 + (330 if type(value) is int else _general_size(value))
        return total
    return 330


ARGUMENTS = [
    0.5,
    -(2**1023),
    float("nan"),
    None,
    True,
    np.float32(2.5),
    np.longdouble(1.5),
    complex(1, -2),
    np.arange(20.0).reshape(4, 5),
    np.zeros((3, 0)),
    np.array(["text"], dtype=object),
    [1, (2.5, None, [np.int8(3)])],
    (),
    2**2000,
]
ODD_DATA = [
    {"dtype": "<f8", 5: 3, "k k": [], "é": "ü\n", "": ""},
    ["x", "", "a-b", "\x00", 1.5, None, [], {}],
    {"a": {"b": {"c": [1, [2, ["three"]]]}}},
    "plain_text.<>|-+/=",
]


@pytest.mark.parametrize("data", [wire.encode_value(a) for a in ARGUMENTS] + ODD_DATA)
def test_encoded_size_is_the_general_size(data: Any) -> None:
    for arguments in ([data], [data, data], data):
        assert session.encoded_size(arguments) == _general_size(arguments)


@pytest.mark.parametrize("data", [wire.encode_value(a) for a in ARGUMENTS] + ODD_DATA)
def test_the_opaque_shortcut_never_hides_an_opaque_argument(data: Any) -> None:
    for encoded in ([data], [0.5, data], [data, {"opaque": "x"}]):
        assert (session._may_hold_opaque(encoded) and wire.has_opaque(encoded)) == wire.has_opaque(encoded)
    assert not session._may_hold_opaque([0.5, wire.encode_value(GOOD), 3])


# --------------------------------------------------------------------------------------------------
# Frames: the scanner against json.loads, and the reader's offset
# --------------------------------------------------------------------------------------------------

TEXTS = [
    '{"id":1,"index":0,"ok":0.5}',
    "[1, 2]",
    '"text"',
    "5",
    "NaN",
    "-Infinity",
    "null",
    ' {"id": 1}',
    '{"id": 1} ',
    '{"id": 1}\n',
    "\ufeff{}",
    "",
    " ",
    '{"id": 1}x',
    '{"id": 1}{"id": 2}',
    '{"id": }',
    '{"a": "\\ud800"}',
    '{"a": "\x01"}',
    "[" * 100_000 + "]" * 100_000,
    '{"a": 1, "a": 2}',
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_frame_scanner_gives_what_json_loads_gives(text: str) -> None:
    fast = _outcome(wire._json_value, text)
    general = _outcome(json.loads, text)
    if general[0] == "error":  # the exception's type is what a ProtocolError names
        assert fast[0] == "error" and fast[1][0] == general[1][0], (fast, general)
    else:
        assert fast == general


def test_the_reader_returns_every_frame_and_stays_bounded() -> None:
    rng = random.Random(5)
    messages: list[Any] = [{"id": i, "pad": "x" * rng.randrange(0, 3000)} for i in range(300)]
    data = b"".join(
        struct.pack(">I", len(body)) + body for body in (json.dumps(m).encode("utf-8") for m in messages)
    )
    ours, theirs = socket.socketpair()
    with ours, theirs:
        reader = wire.FrameReader(ours, 4000)
        reader.CHUNK = 1000  # small chunks: frames split across reads, and many frames in one
        received = []
        position = 0
        while len(received) < len(messages):
            if position < len(data):
                step = rng.choice([1, 3, 500, 5000])
                theirs.sendall(data[position : position + step])
                position += step
            while True:
                try:
                    received.append(reader.frame(time.monotonic() + (0.001 if position < len(data) else 5)))
                except TimeoutError:
                    break
                # read frames stay only until the next read: at most one frame and one chunk in all
                assert len(reader.buffer) <= 4 + 4000 + max(reader.CHUNK, 4004) + 4004
            assert len(reader.buffer) - reader.start <= 4 + 4000
        assert received == messages


def test_a_malformed_frame_is_consumed_and_the_next_one_is_read() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        reader = wire.FrameReader(ours, 1000)
        theirs.sendall(struct.pack(">I", 3) + b"{x}" + struct.pack(">I", 8) + b'{"id":2}')
        with pytest.raises(wire.ProtocolError, match="malformed frame: JSONDecodeError"):
            reader.frame(time.monotonic() + 5)
        assert reader.frame(time.monotonic() + 5) == {"id": 2}
        theirs.sendall(struct.pack(">I", 4) + b"1 2 ")
        with pytest.raises(wire.ProtocolError, match="malformed frame: JSONDecodeError"):
            reader.frame(time.monotonic() + 5)


# --------------------------------------------------------------------------------------------------
# A reply: the common shape against the general path, and the id and index
# --------------------------------------------------------------------------------------------------


def _student() -> SandboxedStudent:
    """A student of a sandbox that is never started: only the parsing of replies is used."""
    return SandboxedStudent(
        SubmissionSandbox({"relu.py": "def relu(x): return x\n"}, isolation="none"), "relu"
    )


def _reply(ok: Any = 0.5, **fields: Any) -> dict[str, Any]:
    reply = {"id": 1, "ok": ok, "args_after": {"changed": {}}, "warnings": [], "stdout": "", "index": 0}
    reply.update(fields)
    return {key: value for key, value in reply.items() if value is not _DROP}


_DROP = object()
SENT = (np.arange(3.0), 2.5)
REPLIES = [pytest.param(_reply(ok=v.values[0]), id=f"common-{v.id}") for v in VALUES]
REPLIES += [
    pytest.param(_reply(warnings=_DROP, stdout=_DROP), id="common-without-warnings-and-stdout"),
    pytest.param(_reply(warnings=["RuntimeWarning: overflow"]), id="a-warning"),
    pytest.param(_reply(warnings=[5]), id="a-warning-not-text"),
    pytest.param(_reply(warnings={}), id="warnings-not-a-list"),
    pytest.param(_reply(warnings=["w"] * 21), id="too-many-warnings"),
    pytest.param(_reply(stdout="printed"), id="stdout"),
    pytest.param(_reply(stdout=5), id="stdout-not-text"),
    pytest.param(_reply(stdout=[]), id="stdout-empty-list"),
    pytest.param(_reply(args_after={"changed": {"0": _array(np.ones(3))}}), id="changed-argument"),
    pytest.param(_reply(args_after={"changed": {"2": 1.0}}), id="changed-argument-not-sent"),
    pytest.param(_reply(args_after={"changed": []}), id="changed-not-a-dict"),
    pytest.param(_reply(args_after={"changed": {}, "x": 1}), id="args-after-two-keys"),
    pytest.param(_reply(args_after={"unknown": "TypeError"}), id="args-unknown"),
    pytest.param(_reply(args_after=_DROP), id="args-after-missing"),
    pytest.param(_reply(args_after=[]), id="args-after-list"),
    pytest.param(_reply(ok=_DROP), id="neither-value-nor-exception"),
    pytest.param(_reply(ok=_DROP, raised={"type": "ValueError", "message": "m"}), id="raised"),
    pytest.param(_reply(raised={"type": "ValueError"}), id="value-and-raised"),
    pytest.param(_reply(raised="not a dict"), id="raised-malformed"),
    pytest.param(_reply(extra=[1, 2]), id="extra-field"),
]


@pytest.mark.parametrize("reply", REPLIES)
def test_a_reply_gives_what_the_general_path_gives(reply: dict[str, Any]) -> None:
    fast = _outcome(_student()._call_result, reply, SENT)
    general = _outcome(_student()._any_call_result, reply, SENT)
    assert _same_outcome(fast, general), (fast, general)


def test_the_common_reply_is_read_without_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    student = _student()

    def general(*args: Any) -> Any:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(student, "_any_call_result", general)
    result = student._call_result(_reply(ok=_array(GOOD)), SENT)
    assert _same(result, CallResult(value=GOOD, args_after=SENT))
    with pytest.raises(AssertionError):
        student._call_result(_reply(stdout="x"), SENT)


def _old_check(batch: _Batch, reply: Any) -> bool:
    """Whether the check before its fast path let ``reply`` answer the next call of ``batch``."""
    index = reply.get("index") if isinstance(reply, dict) else None
    return not (type(index) is not int or index != batch.read or reply.get("id") != batch.ident)


BATCH_REPLIES = [
    {"id": 5, "index": 1},
    {"id": 5, "index": 1, "raised": {}},
    {"id": 5.0, "index": 1},
    {"id": True, "index": 1},
    {"id": "5", "index": 1},
    {"index": 1},
    {"id": 5, "index": True},
    {"id": 5, "index": 1.0},
    {"id": 5, "index": 0},
    {"id": 5, "index": 2},
    {"id": 5},
    [5, 1],
    None,
    "reply",
]


@pytest.mark.parametrize("reply", BATCH_REPLIES, ids=range(len(BATCH_REPLIES)))
def test_a_reply_answers_the_next_call_as_before(reply: Any) -> None:
    batch = _Batch(ident=5, name="relu", count=3, last=0.0, read=1)
    outcome = _outcome(_student()._check_batch_reply, batch, reply)
    if _old_check(_Batch(ident=5, name="relu", count=3, last=0.0, read=1), reply):
        assert outcome[0] == "value" and batch.read == 2 and batch.done == ("raised" in reply)
    else:
        assert outcome == (
            "aborted",
            ("error", "protocol violation: reply does not answer a call of the request", "protocol"),
        )
        assert batch.read == 1


# --------------------------------------------------------------------------------------------------
# The grading side: output rules, comparison, counting
# --------------------------------------------------------------------------------------------------


def _general_as_output(value: Any) -> checks.Output:
    dtype = value.dtype if isinstance(value, np.ndarray | np.generic) else np.dtype(type(value))
    return checks.Output(values=np.asarray(value, dtype=np.float64), dtype=dtype, raw=value)


OUTPUTS = [
    0.5,
    float("nan"),
    3,
    -(2**900),
    np.float64(0.5),
    np.float64("nan"),
    np.float32(0.5),
    np.int64(4),
    np.arange(6.0).reshape(2, 3),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(12.0)[::2],
    np.arange(4.0).astype(">f8"),
    np.arange(4, dtype=np.int32),
    np.float64(2.0) * np.ones(()),
]


@pytest.mark.parametrize("value", OUTPUTS, ids=range(len(OUTPUTS)))
def test_as_output_is_the_general_conversion(value: Any) -> None:
    fast, general = as_output(value), _general_as_output(value)
    assert fast.raw is value and fast.dtype == general.dtype and type(fast.dtype) is type(general.dtype)
    assert _same(fast.values, general.values)
    assert fast.values.flags.writeable == general.values.flags.writeable


PAIRS = [
    (np.arange(6.0), np.arange(6.0)),
    (np.array([1.0, np.nan, np.inf]), np.array([1.0, np.nan, np.inf])),
    (np.array([0.0, -0.0]), np.array([-0.0, 0.0])),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])),
    (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    (np.array([np.nan, 2.0]), np.array([1.0, 2.0])),
    (np.array([np.inf, 2.0]), np.array([-np.inf, 2.0])),
    (np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3))),
    (np.arange(6, dtype=np.int32), np.arange(6.0)),
    (np.full(3, np.nan), np.full(3, -np.nan)),
    (np.array(0.5), np.array(0.5)),
]


@pytest.mark.parametrize(("got", "expected"), PAIRS, ids=range(len(PAIRS)))
def test_compare_is_the_elementwise_comparison(
    got: np.ndarray, expected: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    tol = Tolerance(rtol=1e-9, atol=1e-9)
    fast = compare(got, expected, tol)
    monkeypatch.setattr(checks, "_SAME_BYTES_LIMIT", -1)  # no array is compared as bytes
    general = compare(got, expected, tol)
    assert fast == general or (
        fast is not None and general is not None and _same(fast.max_abs_error, general.max_abs_error)
    )
    assert (fast is None) == bool(np.isclose(got, expected, rtol=1e-9, atol=1e-9, equal_nan=True).all())


def _checker(tmp_path: Path) -> tuple[Checker, _TrackedStudent]:
    source = "import numpy as np\ndef f(x):\n    return np.exp(np.asarray(x, dtype=float))[()]\n"
    (tmp_path / "f.py").write_text(source, encoding="utf-8")
    reference = InProcessStudent(tmp_path / "f.py")._module
    assert reference is not None
    student = _TrackedStudent(InProcessStudent(tmp_path / "f.py"))
    misconceptions = load_misconceptions(load_course(REPO))
    assert misconceptions.extreme == 700
    return Checker(student, reference, misconceptions), student


@pytest.mark.parametrize("x", [1000.0, np.float64(1000.0), np.array([1.0, 1000.0]), 1.0])
def test_a_nan_output_at_an_extreme_input_still_gives_the_advice(tmp_path: Path, x: Any) -> None:
    check, _ = _checker(tmp_path)
    for value in (float("nan"), np.float64("nan"), np.array([0.5, np.nan]), 0.5):
        if isinstance(value, np.ndarray) != isinstance(x, np.ndarray):
            continue
        check.advice.clear()
        check._output_of("f", (x,), CallResult(value=value))
        nan = bool(np.isnan(np.asarray(value)).any())
        assert check.advice == (["overflow_advice"] if nan and np.abs(np.asarray(x)).max() >= 700 else [])


@pytest.mark.parametrize("profiled", [False, True])
def test_counting_calls_is_the_same_with_and_without_a_profile(
    tmp_path: Path, profiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if profiled:
        monkeypatch.setenv(timing.ENV, str(tmp_path))
    else:
        monkeypatch.delenv(timing.ENV, raising=False)
    timing.reset()
    try:
        check, student = _checker(tmp_path)
        outputs = check.outputs("f", [0.0, 1.0, np.array([2.0])])
        assert [o.values.tolist() for o in outputs] == [1.0, math.e, [math.exp(2.0)]]
        assert student.call_count == 3 and student.answered == {"f": True}
        assert student.called_in_test == {"f"}
        assert timing.enabled() is profiled
    finally:
        monkeypatch.delenv(timing.ENV, raising=False)
        timing.reset()


def test_a_function_stays_answered_once_it_answered(tmp_path: Path) -> None:
    _, student = _checker(tmp_path)
    no_answer = CallResult(value=None)
    raised = CallResult(raised=Raised(type="ValueError", message="m", traceback=""))
    student._record("f", no_answer)
    assert student.answered == {"f": False}
    student._record("f", CallResult(value=0.5))
    student._record("f", raised)
    student._record("f", no_answer)
    assert student.answered == {"f": True} and student.call_count == 4


# --------------------------------------------------------------------------------------------------
# A request's calls: sizes bounded cheaply, the same calls as with exact sizes
# --------------------------------------------------------------------------------------------------


def _general_batch(name: str, arg_lists: list[tuple[Any, ...]], limits: Limits) -> list[dict[str, Any]]:
    """The calls of a request as chosen before the cheap bound: every call's exact size added up."""
    chunk: list[dict[str, Any]] = []
    size = 0
    for args in arg_lists:
        encoded = [wire.encode_value(a, max_array_bytes=limits.array_bytes) for a in args]
        if wire.has_opaque(encoded):
            break
        size += _general_size(encoded) + 64
        if chunk and size > limits.message_bytes // 2:
            break
        chunk.append({"name": name, "args": encoded})
    return chunk


def _random_arguments(rng: random.Random) -> tuple[Any, ...]:
    choices: list[Any] = [
        lambda: rng.uniform(-5, 5),
        lambda: rng.randrange(-(2**70), 2**70),
        lambda: np.float32(rng.random()),
        lambda: np.arange(rng.randrange(0, 40), dtype=rng.choice([np.float64, np.int8, np.complex128])),
        lambda: np.zeros((rng.randrange(0, 4), rng.randrange(0, 4), 2)),
        lambda: [rng.random(), ("x", None)],
        lambda: float("nan"),
        lambda: object(),  # opaque: the request ends before it
    ]
    weights = [20, 3, 3, 20, 5, 3, 2, 1]
    return tuple(rng.choices(choices, weights)[0]() for _ in range(rng.randrange(0, 3)))


def test_the_size_bound_is_never_below_the_exact_size() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        encoded = [wire.encode_value(a) for a in _random_arguments(rng)]
        assert session._size_bound(encoded) >= session.encoded_size(encoded) == _general_size(encoded)
    text = {"dtype": "é" * 3, "shape": [2, "x", [1]], "raw": "\n" * 10}  # every character escaped
    assert session._size_bound([text]) >= session.encoded_size([text])


@pytest.mark.parametrize("message_bytes", [64, 700, 1500, 4000, 12_000, 4 << 20])
def test_a_request_holds_the_calls_exact_sizes_would_give(message_bytes: int) -> None:
    rng = random.Random(message_bytes)
    limits = Limits(message_bytes=message_bytes)
    for _ in range(300):
        arg_lists = [_random_arguments(rng) for _ in range(rng.randrange(1, 70))]
        chosen = session.batch_calls("f", arg_lists, limits)
        expected = _general_batch("f", arg_lists, limits)
        assert json.dumps(chosen, default=repr) == json.dumps(expected, default=repr)
