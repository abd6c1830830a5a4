"""Batched calls and the callables of the ready message: wire bounds, forged replies, parity, speculation.

A batch (``StudentCode.calls``) sends several calls of one module in one request; the worker answers each
with its own frame and stops after the first that raises. These tests forge what a hostile worker could send
(ids, indices, replies to calls never sent, ready messages), check that the in-process student gives the
same results with the same stop rule, and that a call made only because it travelled in a batch (after the
check that failed) never costs the student a test the one-by-one order would have graded.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rendered import rendered

from activation_lab.course import load_course
from activation_lab.errors import ExerciseAborted
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import run_suites
from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox import wire, worker
from activation_lab.sandbox.session import Limits, SubmissionSandbox

REPO = Path(__file__).resolve().parents[1]
MODES = [
    pytest.param("bwrap", id="bwrap", marks=pytest.mark.sandbox),
    pytest.param("unshare", id="unshare"),
    pytest.param("none", id="none"),
]


@pytest.fixture(scope="module", params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Every isolation mode that works here (the strong one is required in CI)."""
    if not sandbox._probe(request.param):
        if request.param == "bwrap" and os.environ.get(sandbox.STRONG_ENV):
            pytest.fail("the strong sandbox is required here (CI) but bubblewrap does not work")
        pytest.skip(f"isolation mode {request.param!r} does not work on this machine")
    return str(request.param)


# ---------------------------------------------------------------------------------------------------
# Honest batches, and the in-process twin


MODULE = """
import sys
import numpy as np

COUNT = [0]

def square(x):
    return x * x

def picky(x):
    if x == 3:
        raise ValueError("three")
    return x + 1

def noisy(x):
    print("x is", x)
    return np.exp(np.asarray(x, dtype=float))

def mutates(x):
    x[0] = 99
    return x

def count(x):
    COUNT[0] += 1
    return COUNT[0]

def batch_size(x):
    frame = sys._getframe(1)
    while frame is not None and "calls" not in frame.f_locals:
        frame = frame.f_back
    return len(frame.f_locals["calls"])
"""


@pytest.fixture(scope="module")
def box(mode: str):
    """One sandbox holding MODULE as ``batch.py``, per mode."""
    with SubmissionSandbox({"batch.py": MODULE}, isolation=mode) as opened:
        yield opened


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> InProcessStudent:
    folder = tmp_path_factory.mktemp("batch")
    (folder / "batch.py").write_text(MODULE, encoding="utf-8")
    return InProcessStudent(folder / "batch.py")


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b)  # type: ignore[union-attr]
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


PARITY = [
    pytest.param(
        "square", [(2,), (np.float64(1.5),), (np.array([1, 2]),), (np.array([[0.5]]),)], id="values"
    ),
    pytest.param("picky", [(1,), (2,), (3,), (4,), (5,)], id="stops-after-the-first-raise"),
    pytest.param("noisy", [(0,), (1000.0,), (np.array([1.0, 2000.0]),)], id="stdout-and-warnings"),
    pytest.param("mutates", [(np.array([1.0, 2.0]),), (np.array([[5, 6]]),)], id="arguments-after"),
    pytest.param("picky", [], id="empty"),
]


@pytest.mark.parametrize(("name", "arg_lists"), PARITY)
def test_a_batch_gives_what_the_in_process_twin_gives(
    box: SubmissionSandbox, in_process: InProcessStudent, name: str, arg_lists: list
) -> None:
    sandboxed = list(box.open("batch").calls(name, arg_lists))
    twin = list(in_process.calls(name, arg_lists))
    one_by_one = []
    for args in arg_lists:
        one_by_one.append(in_process.call(name, *args))
        if one_by_one[-1].raised is not None:
            break
    assert len(sandboxed) == len(twin) == len(one_by_one)
    for got, expected, single in zip(sandboxed, twin, one_by_one, strict=True):
        for field in ("value", "args_after", "warnings", "stdout"):
            assert _same(getattr(got, field), getattr(expected, field)), field
            assert _same(getattr(expected, field), getattr(single, field)), field
        assert (got.raised is None) == (expected.raised is None)
        if got.raised is not None and expected.raised is not None:
            assert (got.raised.type, got.raised.message) == (expected.raised.type, expected.raised.message)


def test_a_missing_function_is_an_attribute_error_on_both_sides(
    box: SubmissionSandbox, in_process: InProcessStudent
) -> None:
    for student in (box.open("batch"), in_process):
        with pytest.raises(AttributeError):
            next(iter(student.calls("absent", [(1,)])))


def test_a_long_batch_travels_in_requests_of_at_most_the_bound(box: SubmissionSandbox) -> None:
    total = 2 * wire.MAX_BATCH_CALLS + 22
    sizes = [r.value for r in box.open("batch").calls("batch_size", [(i,) for i in range(total)])]
    assert sizes == [wire.MAX_BATCH_CALLS] * (2 * wire.MAX_BATCH_CALLS) + [22] * 22


def test_unread_replies_are_drained_and_the_worker_kept(box: SubmissionSandbox) -> None:
    student = box.open("batch")
    start = student.call("count", 0).value
    first = next(iter(student.calls("count", [(0,)] * 5)))  # the caller reads one reply of five
    assert first.value == start + 1
    # the four unread calls ran in the same worker (they were sent); their replies were drained by id
    assert student.call("count", 0).value == start + 6
    assert student.call("square", 3).value == 9


def test_the_ready_message_spares_the_defines_round_trip(box: SubmissionSandbox) -> None:
    student = box.open("batch")
    assert student.defines("square") and student.defines("count")
    sent = student._request_id
    assert student.defines("picky")  # listed in the ready message: nothing asked
    assert student._request_id == sent
    assert not student.defines("np") and not student.defines("COUNT")  # not callables: asked, refused
    assert student._request_id == sent + 2


def test_a_module_with_too_many_names_is_asked_name_by_name(mode: str) -> None:
    many = "".join(f"def f{i}(x):\n    return {i}\n" for i in range(wire.MAX_CALLABLES + 10))
    with SubmissionSandbox({"many.py": many}, isolation=mode) as opened:
        student = opened.open("many")
        assert student.defines("f0") and student.defines(f"f{wire.MAX_CALLABLES + 9}")
        assert not student.defines("f99999")
        assert student._request_id == 3  # each name asked
        assert [r.value for r in student.calls("f7", [(0,), (1,)])] == [7, 7]


def test_odd_names_in_an_honest_module_are_left_out_not_refused(mode: str) -> None:
    source = 'globals()["not a name"] = print\nglobals()[1] = print\nglobals()["x" * 500] = print\n'
    source += "def ok(x):\n    return x\n"
    with SubmissionSandbox({"odd.py": source}, isolation=mode) as opened:
        student = opened.open("odd")
        assert student.import_error is None and student.defines("ok")
        assert [r.value for r in student.calls("ok", [(1,), (2,)])] == [1, 2]


# ---------------------------------------------------------------------------------------------------
# Bounds: what the parent accepts from the worker, and what the worker accepts from the parent


@pytest.mark.parametrize(
    "names",
    [
        pytest.param([f"f{i}" for i in range(wire.MAX_CALLABLES + 1)], id="too-many"),
        pytest.param(["x" * (wire.NAME_CHARS + 1)], id="too-long"),
        pytest.param(["not a name"], id="not-an-identifier"),
        pytest.param([1], id="not-text"),
        pytest.param("sigmoid", id="not-a-list"),
        pytest.param({"sigmoid": True}, id="an-object"),
    ],
)
def test_malformed_callables_are_protocol_errors(names: object) -> None:
    with pytest.raises(wire.ProtocolError):
        sandbox.callable_names(names)


def test_well_formed_callables_are_read() -> None:
    assert sandbox.callable_names(None) is None
    assert sandbox.callable_names(["sigmoid", "시그모이드", "_x1"]) == {"sigmoid", "시그모이드", "_x1"}


def test_the_worker_lists_only_callables_within_the_bounds() -> None:
    module = type(sys)("student")
    module.f = lambda x: x
    module.value = 3
    setattr(module, "not a name", print)  # globals()["not a name"] = ...: never listed, never refused
    setattr(module, "g" * (wire.NAME_CHARS + 1), print)
    assert worker._callables(module) == ["f"]
    for i in range(wire.MAX_CALLABLES):
        setattr(module, f"h{i}", print)
    assert worker._callables(module) is None  # too many: the parent asks per name


def test_the_worker_refuses_a_batch_beyond_the_bound() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        calls = [{"name": "f", "args": [1]}] * (wire.MAX_BATCH_CALLS + 1)
        module = type(sys)("student")
        module.f = lambda x: x
        out = worker.CappedWriter(100)
        worker._answer_batch(theirs, module, {"id": 7, "calls": calls}, "/nowhere", 1 << 20, out)
        worker._answer_batch(
            theirs, module, {"id": 8, "calls": [{"name": "f", "args": [2]}] * 2}, "/", 99, out
        )
        refused = wire.recv_frame(ours, 1 << 20)
        answered = [wire.recv_frame(ours, 1 << 20) for _ in range(2)]
    assert refused["id"] == 7 and refused["index"] == 0 and refused["raised"]["type"] == "ValueError"
    assert [(r["id"], r["index"], r["ok"]) for r in answered] == [(8, 0, 2), (8, 1, 2)]


def test_the_buffered_reader_keeps_the_frame_bounds() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        reader = wire.FrameReader(ours, 1000)
        for message in ({"id": 1}, [2, 3], "four"):  # three frames in one write: read from one chunk
            wire.send_frame(theirs, message)
        assert [reader.frame(time.monotonic() + 5) for _ in range(3)] == [{"id": 1}, [2, 3], "four"]
        theirs.sendall(wire.FRAME_HEADER.pack(10) + b'{"id"')  # half a frame: the rest never comes
        with pytest.raises(TimeoutError):
            reader.frame(time.monotonic() + 0.05)
        theirs.sendall(b": 5} ")  # the rest: the frame is whole
        assert reader.frame(time.monotonic() + 5) == {"id": 5}
        theirs.sendall(wire.FRAME_HEADER.pack(1001))  # refused from its header, before any body
        with pytest.raises(wire.ProtocolError):
            reader.frame(time.monotonic() + 5)
        assert len(reader.buffer) <= wire.FRAME_HEADER.size
    second, peer = socket.socketpair()
    with second:
        wire.send_frame(peer, {"last": True})
        peer.sendall(wire.FRAME_HEADER.pack(3) + b"\xff\xfe!")
        peer.close()
        reader = wire.FrameReader(second, 1000)
        assert reader.frame(time.monotonic() + 5) == {"last": True}
        with pytest.raises(wire.ProtocolError):  # not UTF-8 JSON
            reader.frame(time.monotonic() + 5)
        with pytest.raises(EOFError):
            reader.frame(time.monotonic() + 5)


def test_the_size_bound_of_encoded_arguments_is_an_upper_bound() -> None:
    values = [0, -(2**1023), 1.5e-300, float("nan"), np.float32(2.5), np.arange(1000.0), [1, (2.5, None)]]
    values += [np.zeros((3, 0)), complex(1, -2), np.array(["not text"], dtype=object)]
    for value in values:
        encoded = wire.encode_value(value)
        assert len(json.dumps(encoded, separators=(",", ":"))) <= sandbox.encoded_size(encoded)


BATCH_FORGER = """
import json, os, stat, struct, sys, time

def _channel():
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue

def _request_id():
    frame = sys._getframe(1)
    while frame is not None and "id" not in (frame.f_locals.get("request") or {}):
        frame = frame.f_back
    return None if frame is None else frame.f_locals["request"]["id"]

def _send(text):
    body = text.replace("ID", str(_request_id())).encode()
    os.write(_channel(), struct.pack(">I", len(body)) + body)

def forge(x):
    for payload in PAYLOADS:
        _send(payload)
    time.sleep(30)

def ok(x):
    return x
"""
GOOD = '"ok": 1, "args_after": {"changed": {}}'


@pytest.mark.parametrize(
    "payloads",
    [
        pytest.param(['{"id": 123456789, "index": 0, ' + GOOD + "}"], id="wrong-request-id"),
        pytest.param(['{"id": ID, "index": 1, ' + GOOD + "}"], id="index-skipped"),
        pytest.param(['{"id": ID, "index": -1, ' + GOOD + "}"], id="index-negative"),
        pytest.param(['{"id": ID, "index": false, ' + GOOD + "}"], id="index-a-boolean"),
        pytest.param(['{"id": ID, "index": "0", ' + GOOD + "}"], id="index-text"),
        pytest.param(['{"id": ID, ' + GOOD + "}"], id="index-missing"),
        pytest.param(['{"id": ID, "index": 0, ' + GOOD + "}"] * 2, id="an-index-twice"),
        pytest.param(
            ['{"id": ID, "index": 0, ' + GOOD + "}", '{"id": ID, "index": 1, ' + GOOD + "}"] * 2,
            id="a-reply-to-a-call-not-sent",
        ),
        pytest.param(
            ['{"id": ID, "index": 0, "ok": {"raw": "AAAA", "dtype": "<f8", "shape": [9]}}'], id="bad-value"
        ),
    ],
)
def test_forged_batch_replies_end_the_exercise_as_protocol_violations(mode: str, payloads: list[str]) -> None:
    source = BATCH_FORGER.replace("PAYLOADS", repr(payloads))
    with SubmissionSandbox({"forger.py": source}, Limits(call_seconds=10), isolation=mode) as opened:
        student = opened.open("forger")
        with pytest.raises(ExerciseAborted) as caught:
            for _ in student.calls("forge", [(0,), (1,)]):
                pass
            student.call("ok", 1)  # a reply left over from the batch answers no request
    assert caught.value.status == "error"
    assert "protocol violation" in caught.value.detail


def test_a_forged_reply_while_draining_is_still_a_protocol_violation(mode: str) -> None:
    payloads = ['{"id": ID, "index": 0, "ok": 0, "args_after": {"changed": {}}}', '{"id": ID, "index": 7}']
    source = BATCH_FORGER.replace("PAYLOADS", repr(payloads))
    with SubmissionSandbox({"forger.py": source}, Limits(call_seconds=10), isolation=mode) as opened:
        student = opened.open("forger")
        assert next(iter(student.calls("forge", [(0,), (1,), (2,)]))).value == 0
        with pytest.raises(ExerciseAborted) as caught:
            student.call("ok", 1)
    assert caught.value.status == "error" and "protocol violation" in caught.value.detail


@pytest.mark.parametrize(
    "ready",
    [
        pytest.param({"callables": [f"f{i}" for i in range(wire.MAX_CALLABLES + 1)]}, id="too-many-names"),
        pytest.param({"callables": ["x" * 200]}, id="name-too-long"),
        pytest.param({"callables": ["a.b"]}, id="not-an-identifier"),
        pytest.param({"callables": "forge"}, id="not-a-list"),
    ],
)
def test_a_forged_ready_message_with_bad_callables_is_a_protocol_violation(mode: str, ready: dict) -> None:
    message = {"ready": True, "import_error": None, "seccomp": True, "landlock": True, **ready}
    source = BATCH_FORGER.replace("PAYLOADS", "[]") + f"\n_send({json.dumps(json.dumps(message))})\n"
    with SubmissionSandbox({"liar.py": source}, isolation=mode) as opened:
        with pytest.raises(ExerciseAborted) as caught:
            opened.open("liar").call("ok", 1)
    assert caught.value.status == "error" and "protocol violation" in caught.value.detail


# ---------------------------------------------------------------------------------------------------
# Speculation: calls after the first failed check must never cost a later test


SPECULATION = """
import os, time

def pick(x):
    return x + 1 if x == 0 else x  # wrong at 0 only

def trap(x):
    if x == 0:
        return -1  # wrong: the check fails here
    if x == 1:
        while True:
            pass
    if x == 2:
        os._exit(9)
    if x == 3:
        time.sleep(60)
    return x

def nap(x):
    time.sleep(x)
    return x

def slow(x):
    if x == 0:
        return -1
    time.sleep(0.6)
    return x

def ok(x):
    return x

COUNT = [0]

def count(x):
    COUNT[0] += 1
    return COUNT[0]
"""


@pytest.mark.slow
@pytest.mark.parametrize("trap", [1, 2, 3], ids=["busy-loop", "os-exit", "sleep"])
def test_a_speculative_call_that_hangs_or_crashes_costs_nothing(mode: str, trap: int) -> None:
    limits = Limits(exercise_seconds=2.5, call_seconds=1.5)
    with SubmissionSandbox({"spec.py": SPECULATION}, limits, isolation=mode) as opened:
        student = opened.open("spec")
        assert student.call("count", 0).value == 1
        results = student.calls("trap", [(0,), (trap,), (5,)])
        assert next(results).value == -1  # the check fails here: the other two are never read
        # the trapped call is drained (its time not charged), its worker replaced by a fresh one
        assert student.call("nap", 1.2).value == 1.2  # more than the budget had left, had it been charged
        assert student.call("count", 0).value == 1  # a fresh import: the old worker is gone
        assert [r.value for r in student.calls("ok", [(1,), (2,)])] == [1, 2]  # one at a time from now
        with pytest.raises(ExerciseAborted) as caught:
            student.call("trap", 1)  # the same call asked for is a timeout, as it always was
        assert caught.value.status == "timeout"


LATE_TRAP = """
import time
import numpy as np

def sigmoid(x):
    if type(x) is int and x == 3:  # SCALARS[1] of the hidden suite: never called one by one
        while True:
            pass
    if type(x) is int and x == 0:
        return 0.25  # wrong at 0: the first check of the batch fails
    return 1 / (1 + np.exp(-x))

def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
"""


@pytest.mark.slow
def test_a_student_who_hangs_after_a_failed_check_is_graded_as_one_by_one(mode: str, tmp_path: Path) -> None:
    (tmp_path / "sigmoid.py").write_text(LATE_TRAP, encoding="utf-8")
    course = load_course(REPO)
    expected = rendered(
        run_suites(course, {"sigmoid": InProcessStudent(tmp_path / "sigmoid.py")}, seed=0)["sigmoid"], "en"
    )
    limits = Limits(call_seconds=1.0)
    with SubmissionSandbox({"sigmoid.py": LATE_TRAP}, limits, isolation=mode) as opened:
        got = rendered(run_suites(course, {"sigmoid": opened.open("sigmoid")}, seed=0)["sigmoid"], "en")
    assert got.status == expected.status == "graded"
    assert [(t.name, t.status, t.score) for t in got.tests] == [
        (t.name, t.status, t.score) for t in expected.tests
    ]
    assert [t.feedback for t in got.tests] == [t.feedback for t in expected.tests]
    assert 0 < got.score < got.max_score


@pytest.mark.slow
def test_speculation_has_one_allowance_per_exercise_not_one_per_batch(mode: str) -> None:
    with SubmissionSandbox({"spec.py": SPECULATION}, Limits(call_seconds=1.0), isolation=mode) as opened:
        student = opened.open("spec")
        assert student.call("count", 0).value == 1
        assert next(student.calls("slow", [(0,), (1,)])).value == -1
        assert student.call("count", 0).value == 2  # drained within the allowance: the same worker
        assert next(student.calls("slow", [(0,), (1,)])).value == -1
        assert student.call("count", 0).value == 1  # the allowance ran out: a fresh worker
        assert [r.value for r in student.calls("slow", [(2,), (3,)])] == [2, 3]
