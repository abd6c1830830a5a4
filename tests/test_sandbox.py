"""The sandbox: every value kind round-trips, limits end in the right status, and isolation holds."""

from __future__ import annotations

import functools
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from isolation_modes import available

from activation_lab.errors import ExerciseAborted
from activation_lab.grading.student import InProcessStudent, StudentCode
from activation_lab.records import CallResult, Opaque
from activation_lab.sandbox import confine, wire, worker
from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox.session import Limits, SandboxError, SubmissionSandbox, detect_isolation

REPO = Path(__file__).resolve().parents[1]
MODES = [
    pytest.param("bwrap", id="bwrap", marks=pytest.mark.sandbox),
    pytest.param("unshare", id="unshare"),
    pytest.param("none", id="none"),
]


@pytest.fixture(scope="module", params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Every isolation mode that works here (the strong one is required in CI)."""
    return available(request.param)


# ---------------------------------------------------------------------------------------------------
# Round trips: the parent sends a value, the student's identity function returns it


VALUE_MODULE = """
import numpy as np

def identity(x):
    return x

class Sub(np.ndarray):
    pass

class Always:
    def __eq__(self, other):
        return True
    def __float__(self):
        raise SystemExit("float called")
    def __array__(self, *a, **k):
        raise SystemExit("array called")
    def __repr__(self):
        raise SystemExit("repr called")

class Flint(float):
    pass

def object_array(x):
    return np.array([1, "a"], dtype=object)

def subclass(x):
    return np.arange(3.0).view(Sub)

def matrix(x):
    return np.matrix([[1.0, 2.0]])

def masked(x):
    return np.ma.masked_array([1.0, 2.0], mask=[0, 1])

def always_equal(x):
    return Always()

def float_subclass(x):
    return Flint(0.5)

def string(x):
    return "0.5"

def mapping(x):
    return {"value": 0.5}

def string_array(x):
    return np.array(["a", "b"])

def datetime_scalar(x):
    return np.datetime64("2026-01-01")

def huge_int(x):
    return 10 ** 400

def huge_array(x):
    return np.zeros(3_000_000)

def nested(x):
    return [1, (2.5, np.float32(3.0)), np.array([4])]
"""

ROUND_TRIP = [
    pytest.param(0, id="int-zero"),
    pytest.param(-7, id="int-negative"),
    pytest.param(2**62, id="int-large"),
    pytest.param(1.5, id="float"),
    pytest.param(-0.0, id="float-negative-zero"),
    pytest.param(float("inf"), id="float-inf"),
    pytest.param(float("-inf"), id="float-minus-inf"),
    pytest.param(float("nan"), id="float-nan"),
    pytest.param(True, id="bool-true"),
    pytest.param(False, id="bool-false"),
    pytest.param(None, id="none"),
    pytest.param(complex(1.5, -2.0), id="complex"),
    *[
        pytest.param(scalar_type(1), id=f"numpy-{scalar_type.__name__}")
        for scalar_type in sorted(
            {t for t in np.sctypeDict.values() if np.dtype(t).kind in "biufc"},
            key=lambda t: t.__name__,
        )
    ],
    pytest.param(np.float64(np.nan), id="numpy-float64-nan"),
    pytest.param(np.float16(65504.0), id="numpy-float16-max"),
    pytest.param(np.uint64(2**64 - 1), id="numpy-uint64-max"),
    pytest.param(np.array(3.5), id="array-0d"),
    pytest.param(np.array([-1, 2, 3]), id="array-1d-int"),
    pytest.param(np.arange(6.0).reshape(2, 3), id="array-2d-float"),
    pytest.param(np.array([]), id="array-empty"),
    pytest.param(np.zeros((2, 0)), id="array-empty-2d"),
    pytest.param(np.array([0.1, -2.5], dtype=np.float16), id="array-float16"),
    pytest.param(np.array([1 + 2j, -1j]), id="array-complex"),
    pytest.param(np.array([True, False]), id="array-bool"),
    pytest.param(np.array([np.nan, np.inf, -np.inf]), id="array-non-finite"),
    pytest.param(np.asfortranarray(np.arange(6.0).reshape(2, 3)), id="array-fortran-order"),
    pytest.param(np.arange(10.0)[::3], id="array-strided-view"),
    pytest.param([1, 2.5, None], id="list"),
    pytest.param((np.float32(1.5), np.array([1])), id="tuple"),
]


def assert_same_value(got: object, expected: object) -> None:
    """Same exact type, and the same value (NaN equal to NaN); arrays also the same dtype and shape."""
    assert type(got) is type(expected), f"{type(got)} is not {type(expected)}"
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape  # type: ignore[union-attr]
        assert np.array_equal(got, expected, equal_nan=expected.dtype.kind in "fc")  # type: ignore[arg-type]
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)  # type: ignore[arg-type]
        for g, e in zip(got, expected, strict=True):  # type: ignore[call-overload]
            assert_same_value(g, e)
    elif isinstance(expected, (float, np.floating)) and math.isnan(expected):
        assert math.isnan(got)  # type: ignore[arg-type]
    elif isinstance(expected, float) and expected == 0:
        assert math.copysign(1, got) == math.copysign(1, expected)  # type: ignore[arg-type]
    else:
        assert got == expected


@pytest.fixture(scope="module")
def value_student(mode: str):
    """A worker running VALUE_MODULE in the given mode."""
    with SubmissionSandbox({"values.py": VALUE_MODULE}, isolation=mode) as box:
        yield box.open("values")


@pytest.fixture(scope="module")
def in_process_values(tmp_path_factory: pytest.TempPathFactory) -> InProcessStudent:
    """VALUE_MODULE imported in this process, for the same-types-in-both-modes check."""
    folder = tmp_path_factory.mktemp("values")
    (folder / "values.py").write_text(VALUE_MODULE)
    return InProcessStudent(folder / "values.py")


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_values_round_trip_with_their_exact_types(value_student: StudentCode, value: object) -> None:
    result = value_student.call("identity", value)
    assert result.raised is None
    assert_same_value(result.value, value)
    assert len(result.args_after) == 1
    assert_same_value(result.args_after[0], value)


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_in_process_student_sees_the_same_types(in_process_values: InProcessStudent, value: object) -> None:
    assert_same_value(in_process_values.call("identity", value).value, value)


OPAQUE = [
    pytest.param("object_array", "ndarray[object]", id="object-array"),
    pytest.param("subclass", "Sub", id="ndarray-subclass"),
    pytest.param("matrix", "matrix", id="numpy-matrix"),
    pytest.param("masked", "MaskedArray", id="masked-array"),
    pytest.param("always_equal", "Always", id="always-equal-hostile-dunders"),
    pytest.param("float_subclass", "Flint", id="float-subclass"),
    pytest.param("string", "str", id="string"),
    pytest.param("mapping", "dict", id="dict"),
    pytest.param("string_array", "ndarray[str32]", id="string-array"),
    pytest.param("datetime_scalar", "datetime64", id="datetime-scalar"),
    pytest.param("huge_int", "int (too large)", id="huge-int"),
    pytest.param("huge_array", "ndarray (too large: 24000000 bytes)", id="array-over-the-cap"),
]


@pytest.mark.parametrize(("function", "type_name"), OPAQUE)
def test_anything_but_plain_data_comes_back_opaque(
    value_student: StudentCode, function: str, type_name: str
) -> None:
    result = value_student.call(function, 0)
    assert result.raised is None
    assert result.value == Opaque(type_name)


@pytest.mark.parametrize(("function", "type_name"), OPAQUE)
def test_in_process_opaque_values_match(
    in_process_values: InProcessStudent, function: str, type_name: str
) -> None:
    assert in_process_values.call(function, 0).value == Opaque(type_name)


def test_nested_lists_and_tuples_keep_their_element_types(value_student: StudentCode) -> None:
    expected = [1, (2.5, np.float32(3.0)), np.array([4])]
    assert_same_value(value_student.call("nested", 0).value, expected)


def test_encoding_never_calls_the_objects_own_methods() -> None:
    calls: list[str] = []

    class Meta(type):
        def __getattribute__(cls, name: str) -> object:
            calls.append(f"meta.{name}")
            return super().__getattribute__(name)

    class Hostile(float, metaclass=Meta):
        def __eq__(self, other: object) -> bool:
            calls.append("eq")
            return True

        def __float__(self) -> float:
            calls.append("float")
            return 0.0

        def __repr__(self) -> str:
            calls.append("repr")
            return "0.0"

        @property  # type: ignore[misc]
        def __class__(self) -> type:
            calls.append("class")
            return float

    encoded = wire.encode_value(Hostile(1.0))
    assert encoded == {"opaque": "Hostile"}
    assert calls == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("text", id="bare-string"),
        pytest.param({"raw": "!!!!!!!!!!!!", "dtype": "<f8", "shape": [1]}, id="not-base64"),
        pytest.param(wire.encode_value(np.array([1.0, 2.0])) | {"shape": [3]}, id="shape-lie"),
        pytest.param(wire.encode_value(np.array([1.0])) | {"dtype": "<i4"}, id="dtype-size-lie"),
        pytest.param({"scalar": "|O", "value": 1}, id="object-scalar"),
        pytest.param({"scalar": "<i8", "value": "1"}, id="integer-scalar-from-text"),
        pytest.param({"what": 1}, id="unknown-kind"),
        pytest.param([1, 2], id="bare-list"),
    ],
)
def test_malformed_wire_values_are_rejected(payload: object) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(payload, opaque=Opaque)


def test_a_pickled_object_array_is_refused_not_unpickled(tmp_path: Path) -> None:
    import base64
    import io

    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    buffer = io.BytesIO()
    np.save(buffer, np.array([Payload()], dtype=object), allow_pickle=True)
    data = {"raw": base64.b64encode(buffer.getvalue()).decode(), "dtype": "|O", "shape": [1]}
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(data, opaque=Opaque)
    assert not marker.exists()


def test_oversized_frames_are_refused() -> None:
    left, right = socket.socketpair()
    with left, right:
        wire.send_frame(left, {"ok": "x" * 5000})
        with pytest.raises(wire.ProtocolError, match="exceeds the cap"):
            wire.recv_frame(right, 1000)


# ---------------------------------------------------------------------------------------------------
# Student behaviour that is not an attack: imports, errors, output, warnings


BEHAVIOUR = {
    "sigmoid.py": "import numpy as np\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
    "tanh.py": (
        "from sigmoid import sigmoid\n\n"
        "def tanh(x):\n    return 2 * sigmoid(2 * x) - 1\n\n"
        "def noisy(x):\n    print('hello', x)\n    return x\n\n"
        "def warns(x):\n    import numpy as np\n    return np.exp(np.array([1000.0]))\n\n"
        "def stub(x):\n    raise NotImplementedError\n\n"
        "def mutates(x):\n    x[0] = 99\n    return x\n\n"
        "def asks(x):\n    return input('value? ')\n\n"
        "def exits(x):\n    raise SystemExit(3)\n\n"
        "def ambiguous(x):\n    if x >= 0:\n        return 1\n    return 0\n"
    ),
    "step.py": "def step(x):\n    if x >= 0\n        return 1\n",
    "relu.py": "import numpy as np\nprint('import-time output')\nVALUE = np.int\n",
}


@pytest.fixture(scope="module")
def behaviour(mode: str):
    """One sandbox holding BEHAVIOUR, per mode."""
    with SubmissionSandbox(BEHAVIOUR, isolation=mode) as box:
        yield box


def test_student_files_import_each_other(behaviour: SubmissionSandbox) -> None:
    tanh = behaviour.open("tanh")
    assert tanh.import_error is None
    result = tanh.call("tanh", np.array([0.0, 1.0]))
    assert np.allclose(result.value, np.tanh([0.0, 1.0]))


def test_printed_output_is_captured_per_call_and_never_mixed_into_values(
    behaviour: SubmissionSandbox,
) -> None:
    result = behaviour.open("tanh").call("noisy", 2)
    assert result.value == 2
    assert result.stdout == "hello 2\n"
    assert behaviour.open("tanh").call("tanh", 0.0).stdout == ""


def test_warnings_are_reported_as_text(behaviour: SubmissionSandbox) -> None:
    result = behaviour.open("tanh").call("warns", 0)
    assert result.raised is None
    assert any(w.startswith("RuntimeWarning: overflow") for w in result.warnings)


def test_a_stub_raises_not_implemented_as_data(behaviour: SubmissionSandbox) -> None:
    result = behaviour.open("tanh").call("stub", 1)
    assert result.raised is not None and result.raised.type == "NotImplementedError"
    assert "tanh.py:" in result.raised.traceback


def test_arguments_are_copies_and_mutation_is_visible(behaviour: SubmissionSandbox) -> None:
    argument = np.array([1.0, 2.0])
    result = behaviour.open("tanh").call("mutates", argument)
    assert argument[0] == 1.0
    assert result.args_after[0][0] == 99.0


def test_input_gets_end_of_file_at_once(behaviour: SubmissionSandbox) -> None:
    result = behaviour.open("tanh").call("asks", 1)
    assert result.raised is not None and result.raised.type == "EOFError"


def test_system_exit_in_a_call_is_an_exception_not_an_exit(behaviour: SubmissionSandbox) -> None:
    result = behaviour.open("tanh").call("exits", 1)
    assert result.raised is not None and result.raised.type == "SystemExit"
    assert behaviour.open("tanh").call("tanh", 0.0).value == 0.0


def test_the_student_line_is_reported(behaviour: SubmissionSandbox) -> None:
    result = behaviour.open("tanh").call("ambiguous", np.array([-1, 2]))
    assert result.raised is not None and result.raised.type == "ValueError"
    assert "tanh.py:" in result.raised.traceback and "if x >= 0:" in result.raised.traceback


def test_syntax_error_is_reported_with_its_line(behaviour: SubmissionSandbox) -> None:
    error = behaviour.open("step").import_error
    assert error is not None and error.type == "SyntaxError"
    assert error.traceback.endswith("step.py:2: if x >= 0")
    assert not behaviour.open("step").defines("step")


def test_import_errors_keep_the_student_line(behaviour: SubmissionSandbox) -> None:
    error = behaviour.open("relu").import_error
    assert error is not None and error.type == "AttributeError" and "int" in error.message
    assert error.traceback == "relu.py:3: VALUE = np.int"
    assert behaviour.open("relu").import_stdout == "import-time output\n"


def test_defines_tells_functions_from_other_names(behaviour: SubmissionSandbox) -> None:
    sigmoid = behaviour.open("sigmoid")
    assert sigmoid.defines("sigmoid")
    assert not sigmoid.defines("np")
    assert not sigmoid.defines("sigmoid_grad")
    with pytest.raises(AttributeError):
        sigmoid.call("sigmoid_grad", 0.0)


def test_the_sandbox_proxy_implements_student_code(behaviour: SubmissionSandbox) -> None:
    assert isinstance(behaviour.open("sigmoid"), StudentCode)
    assert isinstance(behaviour.open("sigmoid").call("sigmoid", 0.0), CallResult)


SLIDE_PLOT = """
import numpy as np
import matplotlib.pyplot as plt

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

x = np.arange(-10, 10, 0.1)
plt.plot(x, sigmoid(x))
plt.ylim(-0.1, 1.1)
plt.show()
"""


@pytest.mark.slow
def test_slide_code_that_plots_at_import_is_graded_normally(mode: str) -> None:
    with SubmissionSandbox({"sigmoid.py": SLIDE_PLOT, "tanh.py": SLIDE_PLOT}, isolation=mode) as box:
        for module in ("sigmoid", "tanh"):
            student = box.open(module)
            assert student.import_error is None
            assert student.call("sigmoid", 0.0).value == 0.5


def _forged_array(dtype: str, shape: list[int], data: bytes = b"\0" * 8) -> dict:
    """An array payload whose declared dtype and shape say what the sandbox wants them to say."""
    import base64

    return {"dtype": dtype, "shape": shape, "raw": base64.b64encode(data).decode()}


_ARRAY_FORGERIES = [
    _forged_array("<f8", [1 << 40]),  # 8 TiB claimed (np.load of such an .npy header raised MemoryError)
    _forged_array("<f8", [1 << 24]),  # 128 MiB claimed, 8 bytes present
    _forged_array("<f8", [1 << 16] * 3),
    _forged_array("<f8", [1 << 62, 0]),  # zero bytes in all, but a size beyond any cap
    _forged_array("<f8", [1] * 40),  # more dimensions than the wire carries
    _forged_array("|O", [1]),
    _forged_array("<M8[ns]", [1]),
    _forged_array("(2,)<f8", [1]),
    _forged_array("<f8", [2]),  # 16 bytes claimed, 8 present
    _forged_array("<f8", [-1]),
    _forged_array("<f8", ["1"]),  # type: ignore[list-item]
    _forged_array("<f8", [1], b"\0" * 16),  # more bytes than the shape says
    {"dtype": "<f8", "shape": [1], "raw": "!!!!!!!!!!!!"},
    {"dtype": "<f8", "shape": [1], "raw": ["x"]},
    {"scalar": "<f16", "char": "g", "raw": "AAAA"},
]


@pytest.mark.parametrize("payload", _ARRAY_FORGERIES)
def test_forged_array_headers_are_refused_before_anything_is_allocated(payload: dict) -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(wire.ProtocolError):
            wire.decode_value(payload, opaque=Opaque)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # NumPy reports its allocations to tracemalloc: nothing of the claimed size


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6.0).reshape(2, 3),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.arange(4, dtype=">i4"),
        np.zeros((0, 3)),
        np.array(2.5),
        np.array([1 + 2j], dtype=np.clongdouble),
        np.array([True, False]),
    ],
)
def test_arrays_the_header_check_accepts_round_trip(array: np.ndarray) -> None:
    got = wire.decode_value(wire.encode_value(array), opaque=Opaque)
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    np.testing.assert_array_equal(got, array)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"list": [0] * 10_001}, id="long-list"),
        pytest.param({"list": [{"list": [0] * 10_000}] * 11}, id="too-many-values"),
        pytest.param(functools.reduce(lambda inner, _: {"tuple": [inner]}, range(9), 0), id="too-deep"),
        pytest.param({"scalar": "(2,)<f8", "value": 1.0}, id="subarray-dtype"),
        pytest.param({"scalar": "<f8", "value": 1.0, "char": "ab"}, id="bad-type-code"),
        pytest.param({"float": "1" * 100}, id="long-float-text"),
        pytest.param({"opaque": ["x"] * 100}, id="opaque-name-not-text"),
        pytest.param(1 << 2000, id="huge-int"),
    ],
)
def test_decoded_values_are_bounded(payload: object) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(payload, opaque=Opaque)


def test_the_encoder_stays_inside_the_decoders_bounds() -> None:
    wide = [[0] * 10_000 for _ in range(11)]
    decoded = wire.decode_value(wire.encode_value(wide), opaque=Opaque)
    assert isinstance(decoded, Opaque) or any(isinstance(item, Opaque) for item in decoded)
    deep: list = [1.0]
    for _ in range(12):
        deep = [deep]
    assert wire.decode_value(wire.encode_value(deep), opaque=Opaque) is not None


def test_malformed_exit_notices_from_the_zygote_are_protocol_errors() -> None:
    from activation_lab.sandbox.host import exit_notice

    assert exit_notice({"exited": 12, "code": 0}, 0) == 12
    malformed = [
        {"exited": "12", "code": 0},
        {"exited": 12},
        {"exited": 12, "signal": "9"},
        {"exited": 1 << 40, "code": 0},
        {"exited": 12, "code": 1 << 70},
    ]
    for message in malformed:
        with pytest.raises(wire.ProtocolError):
            exit_notice(message, 0)
    with pytest.raises(wire.ProtocolError):
        exit_notice({"exited": 12, "code": 0}, 1 << 20)


UNENCODABLE_ARGS = """
import sys

def relu(x):
    wire = sys.modules["wire"]
    real = wire.encode_value
    calls = []

    def encode(value, **options):
        calls.append(value)
        if len(calls) > 1:
            raise RuntimeError("arguments cannot be encoded")
        return real(value, **options)

    wire.encode_value = encode
    result = x.clip(0)
    x[0] = -3.0  # changed in place: an argument left alone is never encoded again (worker._left_alone)
    return result
"""


def test_arguments_that_cannot_be_encoded_come_back_unknown_not_empty(mode: str) -> None:
    with SubmissionSandbox({"relu.py": UNENCODABLE_ARGS}, isolation=mode) as box:
        result = box.open("relu").call("relu", np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(result.value, [0.0, 2.0])
    assert result.args_after == ()  # unknown: the "input unchanged" check cannot credit it


def test_a_forged_unknown_marker_is_accepted_as_unknown(mode: str) -> None:
    payload = '{"id": ID, "ok": 1.0, "args_after": {"unknown": "RuntimeError"}}'
    source = FORGER.replace("PAYLOAD", repr(payload)).replace("time.sleep(30)", "")
    with SubmissionSandbox({"forger.py": source}, Limits(call_seconds=10), isolation=mode) as box:
        result = box.open("forger").call("forge", 0)
    assert result.value == 1.0 and result.args_after == ()


FORGER = """
import json, os, socket, stat, struct, sys, time

def _channel():
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue

def _request_id():
    frame = sys._getframe(1)
    while frame is not None and not isinstance(frame.f_locals.get("request"), dict):
        frame = frame.f_back
    return frame.f_locals["request"]["id"]

def forge(x):
    body = PAYLOAD.replace("ID", str(_request_id())).encode()
    os.write(_channel(), struct.pack(">I", len(body)) + body)
    time.sleep(30)
"""


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param('{"id": ID, "ok": ' + "[" * 100_000 + "]" * 100_000 + "}", id="deep-nesting"),
        pytest.param('{"id": ID, "ok": {"scalar": "|i1", "value": 100000}}', id="scalar-overflow"),
        pytest.param('{"id": ID, "ok": {"raw": "AAAA", "dtype": "<f8", "shape": [1]}}', id="garbage-array"),
        pytest.param('{"id": ID, "ok": "text", "args_after": []}', id="bare-string"),
        pytest.param('{"id": ID, "warnings": [], "stdout": ""}', id="neither-value-nor-exception"),
        pytest.param('{"id": ID, "ok": 1, "args_after": 5}', id="args-not-a-list"),
        pytest.param('{"id": ID, "raised": "boom", "args_after": []}', id="exception-not-an-object"),
        pytest.param('{"id": 123456789, "ok": 1, "args_after": []}', id="wrong-request-id"),
        pytest.param('{"id": ID, "ok": 1, "args_after": [], "x": "' + "y" * (5 << 20) + '"}', id="oversized"),
        pytest.param("not json at all", id="not-json"),
        pytest.param('{"id": ID, "ok": 1, "args_after": []}', id="args-after-a-list"),
        pytest.param('{"id": ID, "ok": 1}', id="args-after-missing"),
        pytest.param('{"id": ID, "ok": 1, "args_after": {"changed": {"1": 0}}}', id="changed-arg-not-sent"),
        pytest.param(
            '{"id": ID, "ok": 1, "args_after": {"changed": {"00": 0, "0": 1}}}', id="too-many-changed"
        ),
        pytest.param('{"id": ID, "ok": 1, "args_after": {"changed": {}, "unknown": 1}}', id="both-markers"),
        pytest.param(
            '{"id": ID, "ok": 1, "args_after": {"changed": {}}, "stdout": ["x"]}', id="stdout-not-text"
        ),
        pytest.param(
            '{"id": ID, "ok": 1, "args_after": {"changed": {}}, "warnings": "abc"}', id="warnings-not-a-list"
        ),
        pytest.param(
            '{"id": ID, "ok": {"list": [' + ",".join(["0"] * 10_001) + ']}, "args_after": {"changed": {}}}',
            id="long-list",
        ),
        pytest.param(
            '{"id": ID, "ok": ' + json.dumps(_ARRAY_FORGERIES[0]) + ', "args_after": {"changed": {}}}',
            id="array-huge-shape",
        ),
    ],
)
def test_forged_replies_end_the_exercise_as_protocol_violations(mode: str, payload: str) -> None:
    source = FORGER.replace("PAYLOAD", repr(payload))
    with SubmissionSandbox({"forger.py": source}, Limits(call_seconds=10), isolation=mode) as box:
        with pytest.raises(ExerciseAborted) as caught:
            box.open("forger").call("forge", 0)
    assert caught.value.status == "error"
    assert "protocol violation" in caught.value.detail or "exceeds the cap" in caught.value.detail


# ---------------------------------------------------------------------------------------------------
# Limits


LIMITED = """
import ctypes, os, time
import numpy as np

def spin(x):
    while True:
        pass

def nap(x):
    time.sleep(x)
    return x

def hog(x):
    return np.ones(x).sum()

def segfault(x):
    ctypes.string_at(0)

def hard_exit(x):
    os._exit(x)

def ok(x):
    return x
"""


def _limited(mode: str, **limits: float) -> SubmissionSandbox:
    settings = {"exercise_seconds": 3.0, "call_seconds": 1.0, "memory_bytes": 256 << 20, **limits}
    return SubmissionSandbox({"limited.py": LIMITED}, Limits(**settings), isolation=mode)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("function", "argument", "status", "detail"),
    [
        pytest.param("spin", 0, "timeout", "call took too long", id="busy-loop"),
        pytest.param("nap", 30, "timeout", "call took too long", id="sleep"),
        pytest.param("hog", 10**9, "memory", "MemoryError", id="memory-hog"),
        pytest.param("segfault", 0, "error", "crashed: SIGSEGV", id="segfault"),
        pytest.param("hard_exit", 7, "error", "exited with code 7", id="os-exit"),
    ],
)
def test_limits_end_the_exercise_with_the_right_status(
    mode: str, function: str, argument: int, status: str, detail: str
) -> None:
    with _limited(mode) as box:
        student = box.open("limited")
        assert student.call("ok", 1).value == 1
        with pytest.raises(ExerciseAborted) as caught:
            student.call(function, argument)
        assert caught.value.status == status
        assert detail in caught.value.detail
        with pytest.raises(ExerciseAborted):  # the worker is gone for good
            student.call("ok", 1)
        assert sandbox.abort_message(caught.value, "ko")


@pytest.mark.slow
def test_the_exercise_budget_spans_calls(mode: str) -> None:
    with _limited(mode, exercise_seconds=1.0, call_seconds=5.0) as box:
        student = box.open("limited")
        with pytest.raises(ExerciseAborted) as caught:
            for _ in range(10):
                student.call("nap", 0.3)
        assert caught.value.status == "timeout"
        assert "budget" in caught.value.detail


@pytest.mark.slow
def test_one_exercise_aborting_leaves_the_others_working(mode: str) -> None:
    files = {"limited.py": LIMITED, "other.py": "def ok(x):\n    return x + 1\n"}
    with SubmissionSandbox(files, Limits(call_seconds=1.0), isolation=mode) as box:
        with pytest.raises(ExerciseAborted):
            box.open("limited").call("segfault", 0)
        assert box.open("other").call("ok", 1).value == 2


@pytest.mark.slow
def test_an_endless_import_is_a_timeout(mode: str) -> None:
    files = {"hang.py": "while True:\n    pass\n"}
    with SubmissionSandbox(files, Limits(exercise_seconds=1.0), isolation=mode) as box:
        with pytest.raises(ExerciseAborted) as caught:
            box.open("hang").import_error  # noqa: B018 - the property starts the worker
        assert caught.value.status == "timeout"


# ---------------------------------------------------------------------------------------------------
# Isolation


PROBES = """
import os, socket

def connect(x):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(("1.1.1.1", 53))
    return 1

def text(codes):
    return "".join(map(chr, codes))  # strings never cross the boundary; code points do

def read(path):
    return len(open(text(path)).read())

def write(path):
    with open(text(path), "w") as handle:
        handle.write("sabotage")
    return 1

def spawn(x):
    return os.fork()

def env(x):
    return [[ord(c) for c in k] for k in os.environ]  # strings never cross the boundary; code points do

def secret(x):
    return os.environ.get("ACTIVATION_LAB_TEST_SECRET")

def write_tmp(x):
    with open(os.path.join(os.environ["TMPDIR"], "scratch.txt"), "w") as handle:
        handle.write("notes")
    return 1

def signal_parent(x):
    os.kill(os.getppid(), 9)
    return 1
"""


@pytest.fixture(scope="module")
def probes(mode: str):
    """A sandbox running PROBES, started while the parent holds a secret in its environment."""
    os.environ["ACTIVATION_LAB_TEST_SECRET"] = "instructor-token"
    try:
        with SubmissionSandbox({"probes.py": PROBES}, isolation=mode) as box:
            yield box.open("probes")
    finally:
        del os.environ["ACTIVATION_LAB_TEST_SECRET"]


def _codes(text: str) -> list[int]:
    return [ord(c) for c in text]


def _raised_type(result: CallResult) -> str | None:
    return result.raised.type if result.raised else None


def test_no_network(probes) -> None:
    assert _raised_type(probes.call("connect", 0)) in {"PermissionError", "OSError", "TimeoutError"}


def test_no_new_processes(probes) -> None:
    assert _raised_type(probes.call("spawn", 0)) == "PermissionError"


def test_no_signals_to_other_processes(probes) -> None:
    assert _raised_type(probes.call("signal_parent", 0)) == "PermissionError"
    assert probes.call("secret", 0).raised is None


def test_the_environment_is_scrubbed(probes) -> None:
    assert probes.call("secret", 0).value is None
    names = ["".join(map(chr, codes)) for codes in probes.call("env", 0).value]
    assert "ACTIVATION_LAB_TEST_SECRET" not in names
    assert set(names) <= {"PATH", "HOME", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "TMPDIR", "PWD"} | {
        f"{lib}_NUM_THREADS" for lib in ("OPENBLAS", "OMP", "MKL")
    }


@pytest.fixture(scope="module")
def confined_probes(mode: str):
    """PROBES in a mode that isolates files: bubblewrap, or any mode where Landlock works (Linux 5.13+)."""
    if mode != "bwrap" and confine.landlock_abi() < 1:
        pytest.skip(f"mode {mode!r} isolates files only with Landlock, which this kernel lacks")
    with SubmissionSandbox({"probes.py": PROBES}, isolation=mode) as box:
        student = box.open("probes")
        assert student.import_error is None
        yield student


def test_landlock_confines_workers_where_the_kernel_has_it(probes) -> None:
    assert probes.import_error is None
    assert probes.landlock is (confine.landlock_abi() >= 1)
    assert probes.seccomp is True


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(str(REPO / "solutions" / "sigmoid.py"), id="solutions"),
        pytest.param(str(REPO / "autograder" / "manifest.toml"), id="autograder"),
        pytest.param(str(Path(sandbox.__file__)), id="engine-package"),
        pytest.param(os.path.expanduser("~/.bashrc"), id="home"),
        pytest.param(f"/proc/{os.getpid()}/environ", id="grader-environment"),
        pytest.param("/etc/passwd", id="etc"),
    ],
)
def test_files_outside_the_scratch_dir_are_unreadable(confined_probes, path: str) -> None:
    result = confined_probes.call("read", _codes(path))
    assert _raised_type(result) in {"FileNotFoundError", "PermissionError"}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(str(REPO / "sabotage.txt"), id="repo"),
        pytest.param("/usr/sabotage.txt", id="system"),
        pytest.param("/sabotage.txt", id="root"),
        pytest.param("/sandbox/sabotage.txt", id="sandbox-root"),
    ],
)
def test_writes_outside_the_scratch_dir_fail(confined_probes, path: str) -> None:
    assert _raised_type(confined_probes.call("write", _codes(path))) in {
        "FileNotFoundError",
        "PermissionError",
        "OSError",
    }
    assert not Path(path).exists()


def test_the_shared_tmp_is_out_of_reach(confined_probes) -> None:
    # bubblewrap gives a private /tmp (the write succeeds there); Landlock refuses the write outright
    marker = f"/tmp/activation-lab-test-{os.getpid()}-{time.time_ns()}"
    result = confined_probes.call("write", _codes(marker))
    assert result.value == 1 or _raised_type(result) == "PermissionError"
    assert not Path(marker).exists()


def test_a_worker_may_write_its_own_temporary_files(probes) -> None:
    assert probes.call("write_tmp", 0).value == 1


def test_close_leaves_no_process_and_no_scratch_dir(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.REUSE_ENV, "0")
    box = SubmissionSandbox({"limited.py": LIMITED}, isolation=mode)
    student = box.open("limited")
    assert student.call("ok", 1).value == 1
    assert box._host is not None and box._root is not None
    host_root = box._host.root
    assert box._root.exists() and host_root.exists()
    box.close()
    assert not host_root.exists()
    deadline = time.monotonic() + 5
    while _processes_mentioning(str(host_root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(str(host_root)) == []


REUSE_FIRST = """
import os
SECRET = [ord(c) for c in "first student's answer"]

def leave(x):
    with open(os.path.join(os.environ["TMPDIR"], "left.txt"), "w") as handle:
        handle.write("first")
    return 1

def spin(x):
    while True:
        pass
"""

REUSE_SECOND = """
import glob, os

def look(x):
    found = []
    for pattern in ("/tmp/*", "/tmp/*/*", "/sandbox/subs/*", "/sandbox/subs/*/*"):
        found += glob.glob(pattern)
    readable = []
    for path in found:
        try:
            with open(path) as handle:
                handle.read()
            readable.append(path)
        except OSError:
            pass
    return [[ord(c) for c in path] for path in readable]
"""


@pytest.mark.sandbox
def test_a_reused_sandbox_shows_the_next_submission_nothing_of_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    available("bwrap")
    monkeypatch.delenv(sandbox.REUSE_ENV, raising=False)
    if not sandbox.pool.reuse_allowed("bwrap") or confine.landlock_abi() < 1:
        pytest.skip("reuse needs Landlock and the seccomp filter")
    limits = Limits(call_seconds=0.5, exercise_seconds=2.0)  # limits of their own: a pool nobody else uses
    with SubmissionSandbox({"first.py": REUSE_FIRST}, limits, isolation="bwrap") as first:
        student = first.open("first")
        assert student.call("leave", 0).value == 1
        with pytest.raises(ExerciseAborted):
            student.call("spin", 0)  # a worker killed mid-loop must not keep the sandbox from being reused
        first_host = first._host
    with SubmissionSandbox({"second.py": REUSE_SECOND}, limits, isolation="bwrap") as second:
        assert second._host is first_host and second.reused
        paths = ["".join(map(chr, codes)) for codes in second.open("second").call("look", 0).value]
        assert [p for p in paths if "first" in p or "left" in p] == []
        assert all(p.startswith(second._work_inside) for p in paths)
    sandbox.close_idle_sandboxes()


ORPHAN = """
import os, sys, time

def orphan(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)", "TOKEN"])
        os._exit(0)
    time.sleep(0.2)
    return 1
"""


@pytest.mark.parametrize("namespaced", [pytest.param("bwrap", marks=pytest.mark.sandbox), "unshare"])
def test_setsid_orphans_die_with_the_sandbox_even_without_the_syscall_filter(namespaced: str) -> None:
    available(namespaced)
    token = f"activation-lab-orphan-{time.time_ns()}"
    limits = Limits(syscall_filter=False)
    with SubmissionSandbox(
        {"orphan.py": ORPHAN.replace("TOKEN", token)}, limits, isolation=namespaced
    ) as box:
        assert box.open("orphan").call("orphan", 0).value == 1
        assert _processes_mentioning(token), "the orphan should be running while the sandbox lives"
    deadline = time.monotonic() + 5
    while _processes_mentioning(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(token) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


# ---------------------------------------------------------------------------------------------------
# Choosing the isolation


def test_require_strong_refuses_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.STRONG_ENV, "1")
    monkeypatch.setenv(sandbox.FORCE_ENV, "none")
    with pytest.raises(SandboxError, match="bubblewrap"):
        detect_isolation()


def test_an_unknown_forced_mode_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.FORCE_ENV, "docker")
    with pytest.raises(SandboxError, match="docker"):
        detect_isolation()


def test_the_fallback_is_flagged_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sandbox.STRONG_ENV, raising=False)
    monkeypatch.setenv(sandbox.FORCE_ENV, "none")
    assert detect_isolation() == "none"
    box = SubmissionSandbox({"a.py": "x = 1\n"})
    assert box.weak
    warning = sandbox.isolation_warning(box.isolation, "en")
    assert warning is not None and "WARNING" in warning
    assert sandbox.isolation_warning("bwrap", "en") is None


def test_strong_mode_is_used_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    if not os.environ.get(sandbox.STRONG_ENV):
        pytest.skip("only meaningful where ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX is set (CI)")
    monkeypatch.delenv(sandbox.FORCE_ENV, raising=False)
    assert detect_isolation() == "bwrap"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("numpy.py", id="numpy"),
        pytest.param("sitecustomize.py", id="sitecustomize"),
        pytest.param("conftest.py", id="conftest"),
        pytest.param("os.py", id="stdlib"),
        pytest.param("../escape.py", id="path"),
        pytest.param("numpy/__init__.py", id="package"),
        pytest.param("notes.txt", id="not-python"),
    ],
)
def test_only_plain_student_module_names_enter_the_sandbox(name: str) -> None:
    with pytest.raises(ValueError, match="not a student module"):
        SubmissionSandbox({name: "x = 1\n"}, isolation="none")


@pytest.mark.parametrize("module", [worker, wire, confine], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_the_code_copied_into_the_sandbox_imports_nothing_from_the_engine(module: object) -> None:
    source = Path(module.__file__).read_text()  # type: ignore[attr-defined]
    lines = [line.strip() for line in source.splitlines()]
    assert not [line for line in lines if line.startswith(("from activation_lab", "import activation_lab"))]
    assert "import pickle" not in source and "marshal" not in source
    npy_calls = re.findall(r"\.(?:load|save)\(.*", source)
    assert all("allow_pickle=False" in call for call in npy_calls)


def test_the_worker_runs_alone_with_its_two_modules(tmp_path: Path) -> None:
    from activation_lab.sandbox.isolation import SANDBOX_CODE, copy_sandbox_code

    copy_sandbox_code(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SANDBOX_CODE)
    script = f"import runpy; print(runpy.run_path({str(tmp_path / 'worker.py')!r})['wire'].__name__)"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0 and done.stdout.strip() == "wire", done.stderr
    assert "activation_lab" not in done.stderr


# ---------------------------------------------------------------------------------------------------
# Device files: legit code that uses /dev/null, /dev/zero, /dev/urandom works as on any machine (issue 7)

DEVICES = """
import contextlib
import os
import subprocess

with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
    print("noise that nobody needs")
with open(os.devnull, "rb") as empty:
    EMPTY = empty.read()
with open("/dev/zero", "rb") as zeros:
    ZEROS = zeros.read(4)
with open("/dev/urandom", "rb") as noise:
    NOISE = len(noise.read(8))
_fd = os.open(os.devnull, os.O_RDWR)
os.write(_fd, b"x")
os.close(_fd)
QUIET = subprocess.DEVNULL

def devices(x):
    return [len(EMPTY), list(ZEROS), NOISE, QUIET]

def device_write(x):
    with open(os.devnull, "a") as sink:
        sink.write("more")
    return 1

def shm_write(x):
    with open("/dev/shm/activation-lab-sabotage.txt", "w") as handle:
        handle.write("left behind")
    return 1

def device_list(x):
    return len(os.listdir("/dev"))
"""


def test_device_files_work_inside_the_sandbox(mode: str) -> None:
    with SubmissionSandbox({"devices.py": DEVICES}, isolation=mode) as box:
        student = box.open("devices")
        assert student.import_error is None, student.import_error
        assert student.call("devices", 0).value == [0, [0, 0, 0, 0], 8, subprocess.DEVNULL]
        assert student.call("device_write", 0).value == 1
        if mode == "bwrap" or confine.landlock_abi() >= 1:  # still nothing else of /dev
            assert _raised_type(student.call("shm_write", 0)) in {"PermissionError", "FileNotFoundError"}
            assert _raised_type(student.call("device_list", 0)) in {"PermissionError", "FileNotFoundError"}
    assert not Path("/dev/shm/activation-lab-sabotage.txt").exists()


def test_a_correct_file_that_uses_dev_null_scores_full_marks(mode: str) -> None:
    from activation_lab.course import load_course
    from activation_lab.grading.suites import run_suites

    course = load_course(REPO)
    files = {spec.file: (course.solutions_dir / spec.file).read_text("utf-8") for spec in course.exercises}
    files = {name: DEVICES.split("\ndef devices")[0] + "\n" + text for name, text in files.items()}
    with SubmissionSandbox(files, isolation=mode) as box:
        students = {spec.id: box.open(spec.file[:-3]) for spec in course.exercises}
        results = run_suites(course, students, lang="en", seed=0)
    assert {k: (r.status, r.score) for k, r in results.items()} == {
        spec.id: ("graded", spec.max_score) for spec in course.exercises
    }


# ---------------------------------------------------------------------------------------------------
# A submission's memory as a whole: one cgroup per sandbox where the machine has a memory controller

HOLD = """
HELD = []

def hold(mib):
    HELD.append(b"\\x01" * (mib << 20))  # every page written: real memory
    return len(HELD)
"""
BOUNDED = Limits(
    memory_bytes=512 << 20, submission_memory_bytes=640 << 20, exercise_seconds=20, call_seconds=15
)


def _hold_in_two_workers(mode: str) -> tuple[SubmissionSandbox, list[object]]:
    outcomes: list[object] = []
    with SubmissionSandbox({"first.py": HOLD, "second.py": HOLD}, BOUNDED, isolation=mode) as box:
        students = [box.open("first"), box.open("second")]
        for student in students:  # 400 MiB each: together beyond 640 MiB, each within its 512 MiB
            try:
                outcomes.append(student.call("hold", 400).value)
            except ExerciseAborted as aborted:
                outcomes.append(aborted)
        for index, student in enumerate(students):  # the kernel may have killed the first one
            if not isinstance(outcomes[index], ExerciseAborted):
                try:
                    student.call("hold", 0)
                except ExerciseAborted as aborted:
                    outcomes[index] = aborted
    return box, outcomes


@pytest.mark.slow
def test_a_submission_memory_is_bounded_as_a_whole_by_its_cgroup(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two workers alive at once: what hand-overs avoid (a worker that grew is not handed on), and what
    # happens when an exercise is used again after the next one took its worker, or with hand-overs off.
    monkeypatch.setenv(sandbox.SHARE_ENV, "0")
    if sandbox.memory_controller() is None:
        if os.geteuid() == 0 and Path("/sys/fs/cgroup/memory").is_dir():
            pytest.fail("this machine has a cgroup v1 memory controller, but the sandbox does not use it")
        pytest.skip("no writable cgroup memory controller here (the per-worker rlimits apply alone)")
    sandbox.close_idle_sandboxes()
    box, outcomes = _hold_in_two_workers(mode)
    assert box.memory_bound == "cgroup"
    aborted = [o for o in outcomes if isinstance(o, ExerciseAborted)]
    assert aborted, outcomes
    assert all(a.status == "memory" and "submission's memory limit" in a.detail for a in aborted)


@pytest.mark.slow
def test_without_a_cgroup_only_each_worker_is_bounded(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVATION_LAB_SANDBOX_CGROUP", "0")
    monkeypatch.setenv(sandbox.REUSE_ENV, "0")  # not an idle sandbox that has a cgroup
    box, outcomes = _hold_in_two_workers(mode)
    assert box.memory_bound == "rlimit"
    assert outcomes == [1, 1]  # the documented weakness: 2 x 400 MiB although the submission has 640 MiB
