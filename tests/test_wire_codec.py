"""The value codec's fast paths: exact round trips, refusals on the parent's side, and mutation detection.

``wire.py`` caches the dtypes it has checked and decodes arrays without ``base64``'s wrappers; the worker
tells an argument the call left alone (same dtype, shape and bytes) without encoding it again. These tests
hold those paths to what the plain encoder would say.
"""

from __future__ import annotations

import itertools
import json
import types
from typing import Any

import numpy as np
import pytest
from isolation_modes import available

from activation_lab.records import Opaque
from activation_lab.sandbox import wire, worker
from activation_lab.sandbox.session import Limits, SubmissionSandbox, decode, encoded_size

CAP = 1 << 20


def through_json(value: Any, cap: int = CAP) -> Any:
    """``value`` encoded, sent as a frame's JSON text, and decoded as the parent decodes a reply."""
    data = json.loads(wire._COMPACT_JSON.encode(wire.encode_value(value, max_array_bytes=cap)))
    return wire.decode_value(data, opaque=Opaque, max_array_bytes=cap)


def wire_dtypes() -> list[np.dtype]:
    """Every dtype the wire carries on this machine: each text ``DTYPE_STR`` accepts that NumPy knows."""
    found: dict[str, np.dtype] = {}
    for order, kind, size in itertools.product("<>|=", "biufc", (1, 2, 4, 8, 10, 12, 16, 32)):
        text = f"{order}{kind}{size}"
        try:
            found.setdefault(np.dtype(text).str, wire.wire_dtype(text))
        except (TypeError, wire.ProtocolError):
            continue
    return list(found.values())


SHAPES = [(), (0,), (1,), (5,), (2, 3), (3, 0, 2), (1, 1, 1, 4)]


def sample(dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """An array of ``dtype`` and ``shape`` with varied bits (nan, inf, -0.0 and extremes where they exist)."""
    count = int(np.prod(shape))
    raw = np.random.default_rng(7).integers(0, 256, size=count * dtype.itemsize, dtype=np.uint8).tobytes()
    array = np.frombuffer(raw, dtype=dtype.newbyteorder("=") if dtype.byteorder == ">" else dtype).copy()
    if dtype.kind == "b":
        array = array.view(np.uint8) % 2 == 1
    if dtype.kind in "fc" and count >= 4:
        array[:4] = [np.nan, np.inf, -0.0, -np.inf]
    return array.astype(dtype).reshape(shape)


@pytest.mark.parametrize("dtype", wire_dtypes(), ids=str)
def test_every_wire_dtype_and_shape_comes_back_with_the_same_bytes(dtype: np.dtype) -> None:
    for shape in SHAPES:
        value = sample(dtype, shape)
        back = through_json(value)
        assert type(back) is np.ndarray
        assert back.dtype.str == value.dtype.str and back.shape == value.shape
        assert back.tobytes() == value.tobytes()
        assert back.flags.writeable and back.flags.owndata  # a copy, like the one the student receives


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: np.arange(12.0).reshape(3, 4).T, id="transposed"),
        pytest.param(lambda: np.arange(20, dtype=np.int16)[::3], id="strided"),
        pytest.param(lambda: np.asfortranarray(np.arange(6.0).reshape(2, 3)), id="fortran"),
        pytest.param(lambda: np.arange(24, dtype=">i4").reshape(2, 3, 4)[:, ::2, 1:], id="big-endian-view"),
    ],
)
def test_arrays_of_any_layout_cross_in_c_order(make: Any) -> None:
    value = make()
    back = through_json(value)
    assert back.dtype.str == value.dtype.str and back.shape == value.shape
    assert back.tobytes() == value.tobytes() and back.flags.c_contiguous


def scalar_types() -> list[type]:
    return sorted(
        {t for t in wire._scalar_types(np) if np.dtype(t).kind in "biufc"}, key=lambda t: np.dtype(t).char
    )


@pytest.mark.parametrize("kind", scalar_types(), ids=lambda t: t.__name__)
def test_every_numpy_scalar_type_comes_back_as_itself(kind: type) -> None:
    for value in (kind(0), kind(1), kind(-1) if np.dtype(kind).kind in "ifc" else kind(1)):
        back = through_json(value)
        assert type(back) is kind
        assert back == value  # not the bytes: long double's padding bytes are whatever memory held
    if np.dtype(kind).kind in "fc":
        assert np.isnan(through_json(kind(np.nan)))


def array_data(**changes: Any) -> dict[str, Any]:
    data = wire.encode_value(np.arange(6.0).reshape(2, 3))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


REFUSED = [
    pytest.param(array_data(dtype="<f3"), id="dtype-size"),
    pytest.param(array_data(dtype="|O8"), id="dtype-object"),
    pytest.param(array_data(dtype="|V8"), id="dtype-void"),
    pytest.param(array_data(dtype="<U2"), id="dtype-str"),
    pytest.param(array_data(dtype="<M8"), id="dtype-datetime"),
    pytest.param(array_data(dtype="<f8 "), id="dtype-trailing-space"),
    pytest.param(array_data(dtype=["<f8"]), id="dtype-not-text"),
    pytest.param(array_data(dtype=None), id="dtype-missing"),
    pytest.param(array_data(shape=[3, 2, 1, -1]), id="shape-negative"),
    pytest.param(array_data(shape=[True, 6]), id="shape-bool"),
    pytest.param(array_data(shape=[6.0]), id="shape-float"),
    pytest.param(array_data(shape="6"), id="shape-not-a-list"),
    pytest.param(array_data(shape=[1] * (wire.MAX_NDIM + 1)), id="shape-too-many-dims"),
    pytest.param(array_data(shape=[3, 3]), id="shape-needs-more-bytes"),
    pytest.param(array_data(shape=[1 << 40, 1 << 40, 0]), id="shape-huge-before-zero"),
    pytest.param(array_data(raw="A" * 60), id="raw-wrong-length"),
    pytest.param(array_data(raw="!" * 64), id="raw-not-base64"),
    pytest.param(array_data(raw="é" * 64), id="raw-not-ascii"),
    pytest.param(array_data(raw="=" * 64), id="raw-only-padding"),
    pytest.param(array_data(raw=123), id="raw-not-text"),
    pytest.param({"dtype": "<f8", "shape": [CAP], "raw": "A" * 8}, id="over-the-cap"),
    pytest.param({"scalar": "<f4", "char": "d", "value": "1.0"}, id="scalar-code-of-another-size"),
    pytest.param({"scalar": "<f8", "char": "O", "value": "1.0"}, id="scalar-code-object"),
    pytest.param({"scalar": "<f8", "char": "dd", "value": "1.0"}, id="scalar-code-two-chars"),
    pytest.param({"scalar": "<f8", "char": 100, "value": "1.0"}, id="scalar-code-not-text"),
    pytest.param({"scalar": "<i8", "char": "l", "value": "1"}, id="scalar-int-as-text"),
    pytest.param({"scalar": "<O8", "value": 1}, id="scalar-dtype-object"),
]


@pytest.mark.parametrize("data", REFUSED)
def test_the_parent_refuses_malformed_or_oversized_values(data: Any) -> None:
    with pytest.raises(wire.ProtocolError):
        decode(data, Limits())


def test_the_caches_keep_only_what_passed() -> None:
    wire.wire_dtype("<f8")
    dtypes, codes = wire._known_dtype.cache_info().currsize, wire._coded_dtype.cache_info().currsize
    for number in range(2000):  # a hostile reply's dtype texts and type codes are never kept
        for data in (array_data(dtype=f"<f{number}x"), {"scalar": "<f8", "char": chr(200 + number)}):
            with pytest.raises(wire.ProtocolError):
                decode(data, Limits())
    assert wire._known_dtype.cache_info().currsize == dtypes
    assert wire._coded_dtype.cache_info().currsize == codes
    assert wire._known_dtype.cache_info().maxsize == wire._coded_dtype.cache_info().maxsize == 256


@pytest.mark.parametrize(
    "value",
    [
        [wire.encode_value(0.5), wire.encode_value(np.arange(4.0))],
        {"list": [{"tuple": ['é\n"', 1]}]},
        wire.encode_value([np.float32(1.5), np.arange(6, dtype=np.int8).reshape(2, 3), -0.0, "x" * 40]),
    ],
)
def test_encoded_size_is_an_upper_bound_of_the_json(value: Any) -> None:
    assert encoded_size(value) >= len(wire._COMPACT_JSON.encode(value).encode("utf-8"))


# ---------------------------------------------------------------------------------------------------
# Mutation: the worker's reply names exactly the arguments whose encoding changed

MUTATORS = """
import numpy as np
seen = []

def keep(*args):
    seen[:] = args
    return 0

def write_element(x, *rest):
    seen[:] = [x, *rest]
    x.flat[0] = 99
    return 0

def write_same_bytes(x):
    seen[:] = [x]
    x[...] = x.copy()
    return 0

def write_through_view(x):
    seen[:] = [x]
    x.reshape(-1)[::2][-1] = -7
    return 0

def write_through_transpose(x):
    seen[:] = [x]
    x.T[0, -1] = 5
    return 0

def set_dtype(x):
    seen[:] = [x]
    x.dtype = np.int64
    return 0

def set_dtype_same_bytes_other_order(x):
    seen[:] = [x]
    x.dtype = x.dtype.newbyteorder()
    return 0

def set_shape(x):
    seen[:] = [x]
    x.shape = x.shape[::-1]
    return 0

def set_flat_shape(x):
    seen[:] = [x]
    x.shape = (x.size,)
    return 0

def set_metadata(x):
    seen[:] = [x]
    x.dtype = np.dtype(x.dtype, metadata={"a": 1})
    return 0

def grow_list(items):
    seen[:] = [items]
    items.append(1.0)
    return 0

def write_in_list(items):
    seen[:] = [items]
    items[1][0] = -1
    return 0

def negate_zero(x):
    seen[:] = [x]
    x[0] = -x[0]
    return 0
"""


def load_mutators() -> types.ModuleType:
    module = types.ModuleType("mutators")
    exec(MUTATORS, module.__dict__)
    return module


MATRIX = np.arange(6.0).reshape(2, 3)
CASES = [
    pytest.param("keep", [MATRIX, 0.5, 3, None, True, np.float32(2), np.int8(-3), 1 + 2j], id="untouched"),
    pytest.param("keep", [[MATRIX, (1.0, np.arange(3))]], id="untouched-list"),
    pytest.param("keep", [np.array([np.nan, -0.0, np.inf])], id="untouched-nan"),
    pytest.param("write_element", [MATRIX, MATRIX], id="element-of-one-of-two"),
    pytest.param("write_element", [np.array(5, dtype=np.int16)], id="element-0d"),
    pytest.param("write_same_bytes", [MATRIX], id="rewritten-same-bytes"),
    pytest.param("write_through_view", [MATRIX], id="through-a-view"),
    pytest.param("write_through_transpose", [MATRIX], id="through-a-transpose"),
    pytest.param("set_dtype", [MATRIX], id="dtype-same-size"),
    pytest.param("set_dtype_same_bytes_other_order", [MATRIX], id="dtype-byte-order"),
    pytest.param("set_shape", [MATRIX], id="shape-reversed"),
    pytest.param("set_flat_shape", [MATRIX], id="shape-flattened"),
    pytest.param("set_metadata", [MATRIX], id="dtype-metadata"),
    pytest.param("grow_list", [[1.0, 2.0]], id="list-grown"),
    pytest.param("write_in_list", [[1.0, np.arange(3.0)]], id="array-in-list"),
    pytest.param("negate_zero", [np.array([0.0, 1.0])], id="zero-to-minus-zero"),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_changed_arguments_are_exactly_those_whose_encoding_changed(name: str, args: list[Any]) -> None:
    module = load_mutators()
    sent = [wire.encode_value(a, max_array_bytes=CAP) for a in args]
    request = {"id": 3, "name": name, "args": json.loads(json.dumps(sent))}
    reply = worker._answer(module, request, "/nonexistent", CAP, worker.CappedWriter(100))
    assert reply["ok"] == 0
    # what the worker said before it kept anything: every argument encoded again after the call
    after = [wire.encode_value(a, max_array_bytes=CAP) for a in module.seen]
    pairs = enumerate(zip(after, sent, strict=True))
    expected = {str(i): data for i, (data, before) in pairs if data != before}
    assert reply["args_after"] == {wire.ARGS_CHANGED: expected}
    if name not in ("keep", "write_same_bytes"):
        assert expected, "each mutator changes its argument's encoding"


def test_the_worker_compares_with_what_it_decoded_not_with_the_caller() -> None:
    module = load_mutators()
    value = np.arange(4.0)
    request = {"id": 1, "name": "write_element", "args": [wire.encode_value(value)]}
    reply = worker._answer(module, request, "/nonexistent", CAP, worker.CappedWriter(100))
    changed = reply["args_after"][wire.ARGS_CHANGED]
    assert list(changed) == ["0"]
    assert wire.decode_value(changed["0"], opaque=Opaque).tolist() == [99.0, 1.0, 2.0, 3.0]
    assert value.tolist() == [0.0, 1.0, 2.0, 3.0]  # arguments cross as copies


MODES = [
    pytest.param("bwrap", id="bwrap", marks=pytest.mark.sandbox),
    pytest.param("none", id="none"),
]


@pytest.mark.parametrize("mode", MODES)
def test_in_place_dtype_and_shape_changes_reach_the_parent(mode: str) -> None:
    with SubmissionSandbox({"mutators.py": MUTATORS}, isolation=available(mode)) as box:
        student = box.open("mutators")
        results = {
            name: student.call(name, MATRIX.copy())
            for name in ("keep", "set_dtype", "set_shape", "write_through_view", "set_metadata")
        }
    kept = results["keep"].args_after[0]
    assert kept.dtype == MATRIX.dtype and kept.shape == MATRIX.shape and kept.tobytes() == MATRIX.tobytes()
    assert results["set_dtype"].args_after[0].dtype == np.int64
    assert results["set_shape"].args_after[0].shape == (3, 2)
    assert results["write_through_view"].args_after[0].reshape(-1)[-2] == -7
    assert isinstance(results["set_metadata"].args_after[0], Opaque)
