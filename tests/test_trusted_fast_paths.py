"""The trusted side's shortcuts give exactly what the long way gives (issue 9).

The reference's outputs remembered across submissions, the output rules' early answers, the misconception
candidates memoized per input, the report's JSON written without the standard library's Python encoder, and
a batch whose workers render the reports: each is checked here against the computation it replaces.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from activation_lab.grading import checks, misconceptions, timing
from activation_lab.grading.batch import grade_batch
from activation_lab.grading.checks import _broken_output, output_failure, reference_output
from activation_lab.grading.grade import make_context
from activation_lab.grading.misconceptions import _close, diagnose
from activation_lab.grading.suites import load_misconceptions
from activation_lab.records import Opaque
from activation_lab.reports.report import dumps_report, report_to_json
from activation_lab.reports.stored import read_records, records_path

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------------
# The report's JSON text
# --------------------------------------------------------------------------------------------------


def _standard(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="empty-dict"),
        pytest.param([], id="empty-list"),
        pytest.param({"a": [], "b": {}, "c": [[]], "d": [{}]}, id="empty-containers-nested"),
        pytest.param({"ko": "시그모이드 함수의 미분 ✓", "ctl": '\x00\x1f\t\n"\\ \u2028 \ud800'}, id="text"),
        pytest.param([0.1, -0.0, 1e300, 5e-324, 1e16, 123456789.0, math.pi], id="floats"),
        pytest.param([math.nan, math.inf, -math.inf], id="non-finite"),
        pytest.param([0, -1, 10**40, True, False, None], id="ints-bools-null"),
        pytest.param({"t": (1, (2, "x"), ())}, id="tuples-as-lists"),
        pytest.param([{"a": {"b": [1, {"c": None}]}}, "z"], id="deep"),
        pytest.param({1: "int key", 2.5: "float key", None: "null key"}, id="non-string-keys"),
        pytest.param({"np": np.float64(0.25), "i": np.int64(3)}, id="numpy-scalars"),
    ],
)
def test_dumps_report_writes_what_json_dumps_writes(data) -> None:
    try:
        expected = _standard(data)
    except TypeError:
        with pytest.raises(TypeError):
            dumps_report(data)
        return
    assert dumps_report(data) == expected


def test_dumps_report_of_the_scenario_goldens_is_byte_identical() -> None:
    goldens = sorted((REPO / "tests" / "scenarios").glob("*/expected.json"))
    assert goldens
    for path in goldens:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert dumps_report(data) == _standard(data), path.parent.name


# --------------------------------------------------------------------------------------------------
# Output rules: the early answers agree with the full rules
# --------------------------------------------------------------------------------------------------

VALUES = [
    None,
    True,
    np.bool_(False),
    0,
    7,
    2**2000,
    1.5,
    math.nan,
    np.float64(0.25),
    np.float32(0.5),
    np.int64(3),
    np.uint8(1),
    np.complex128(1j),
    np.array(0.5),
    np.array(3),
    np.array([0.5, 1.0]),
    np.array([[1, 2], [3, 4]]),
    np.array([True, False]),
    np.array(["a", "b"]),
    np.array([], dtype=float),
    np.ma.masked_array([1.0, 2.0]),
    [0.5, 1.0],
    (0.5,),
    "0.5",
    Opaque("Decimal"),
    Opaque("numpy.bool"),
]
ARGS = [0.0, 3, np.float64(1.0), np.array(0.0), np.array([1.0, 2.0]), np.array([[1, 2], [3, 4]]), None]


@pytest.mark.parametrize(("value", "arg"), list(itertools.product(VALUES, ARGS)))
def test_output_rules_early_answers_agree_with_the_full_rules(value, arg) -> None:
    array_input = isinstance(arg, np.ndarray) and arg.ndim >= 1
    assert output_failure(value, arg) == _broken_output(value, arg, array_input)


# --------------------------------------------------------------------------------------------------
# The reference's outputs, remembered
# --------------------------------------------------------------------------------------------------


def _counting():
    """A reference function (a plain ``def``) that counts its calls and writes into its argument."""
    calls = []

    def reference(x, scale=1.0):
        calls.append(1)
        if isinstance(x, np.ndarray):
            result = np.where(x >= 0, x, 0.0) * scale
            x[...] = -99  # the caller's array must not see this
            return result
        if isinstance(x, list):
            return [v * scale for v in x]
        return x * scale

    return reference, calls


def test_the_reference_is_called_once_per_distinct_input_and_works_on_copies() -> None:
    function, calls = _counting()
    x = np.array([-1.0, 2.0, 3.0])
    first = reference_output(function, (x,))
    assert np.array_equal(x, [-1.0, 2.0, 3.0])  # the reference wrote into a copy
    second = reference_output(function, (np.array([-1.0, 2.0, 3.0]),))
    assert len(calls) == 1
    assert np.array_equal(first, [0.0, 2.0, 3.0]) and np.array_equal(second, first)
    second[0] = 42.0  # a caller changing what it got ...
    third = reference_output(function, (x,))
    assert np.array_equal(third, [0.0, 2.0, 3.0])  # ... changes nothing for the next
    assert third.flags.writeable and third is not second
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(0.0, -0.0, id="signed-zero"),
        pytest.param(1, 1.0, id="int-float"),
        pytest.param(1, True, id="int-bool"),
        pytest.param(np.float64(1.0), 1.0, id="numpy-scalar-float"),
        pytest.param(np.float32(1.0), np.float64(1.0), id="scalar-dtypes"),
        pytest.param(np.array([1, 2]), np.array([1.0, 2.0]), id="array-dtypes"),
        pytest.param(np.zeros((2, 3)), np.zeros((3, 2)), id="shapes"),
        pytest.param(np.zeros((2, 3)), np.asfortranarray(np.zeros((2, 3))), id="layouts"),
    ],
)
def test_inputs_that_differ_in_anything_are_remembered_apart(a, b) -> None:
    seen = []

    def reference(x):
        seen.append(x)
        return np.asarray(x, dtype=float) + 1

    reference_output(reference, (a,))
    reference_output(reference, (b,))
    assert len(seen) == 2


def test_unremembered_values_call_the_reference_every_time() -> None:
    function, calls = _counting()

    class CallableObject:  # may define its own equality: never a key
        def __call__(self, x):
            calls.append(1)
            return 2.0 * x

    for _ in range(2):
        assert reference_output(function, ([1.0, 2.0],)) == [1.0, 2.0]  # a list result
        reference_output(function, (np.array([1.0], dtype=object),))  # an object array
        reference_output(function, (np.ma.masked_array([1.0]),))  # a subclass
        assert reference_output(CallableObject(), (1.5,)) == 3.0
    assert len(calls) == 8


def test_nan_inputs_are_remembered_and_answered_alike() -> None:
    function, calls = _counting()
    first = reference_output(function, (math.nan,))
    second = reference_output(function, (float("nan"),))
    assert math.isnan(first) and math.isnan(second) and len(calls) == 1


def test_the_memory_of_reference_outputs_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(checks, "_REFERENCE_OUTPUTS", {})
    monkeypatch.setattr(checks, "_reference_bytes", 0)
    monkeypatch.setattr(checks, "_REFERENCE_BUDGET", 10_000)
    function, calls = _counting()
    for i in range(100):
        reference_output(function, (np.full(100, float(i)),))
    assert checks._reference_bytes <= 10_000
    assert 0 < len(checks._REFERENCE_OUTPUTS) < 100
    before = len(calls)
    reference_output(function, (np.full(100, 99.0),))  # not remembered: computed again, still right
    assert len(calls) == before + 1


# --------------------------------------------------------------------------------------------------
# Misconception candidates, memoized per input
# --------------------------------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-9, np.inf, -np.inf, np.nan, 1 + 1e-7, 1 + 1e-6, 5e-324, 1e308]


@pytest.mark.parametrize(("rtol", "atol"), [(1e-7, 1e-9), (1e-6, 1e-8), (1e-12, 1e-12), (5e-3, 1e-4), (0, 0)])
def test_candidate_closeness_agrees_with_numpy(rtol, atol) -> None:
    pairs = np.array(list(itertools.product(SPECIAL, SPECIAL)))
    got, candidate = pairs[:, 0].copy(), pairs[:, 1].copy()
    with np.errstate(all="ignore"):
        expected = np.isclose(got, candidate, rtol=rtol, atol=atol, equal_nan=True)
    assert np.array_equal(_close(got, candidate, rtol, atol), expected)


def test_diagnosis_is_the_same_remembered_or_not(monkeypatch) -> None:
    course = load_misconceptions(load_course_here())
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    expected = 1 / (1 + np.exp(-x))
    wrong = {
        "exp_sign": 1 / (1 + np.exp(x)),
        "rounded": np.round(expected, 2),
        "float32": expected.astype(np.float32).astype(float),
        "unexplained": expected + 0.3,
    }
    fresh = {}
    for label, got in wrong.items():
        monkeypatch.setattr(misconceptions, "_DISTINCT", {})
        fresh[label] = diagnose("sigmoid", x, got, expected, np.dtype(np.float64), course)
    assert fresh["exp_sign"] and fresh["rounded"]  # the table is not trivially empty
    for label, got in wrong.items():  # now from memory, twice
        for _ in range(2):
            assert diagnose("sigmoid", x, got, expected, np.dtype(np.float64), course) == fresh[label]


def test_remembered_candidates_do_not_follow_a_changed_input() -> None:
    course = load_misconceptions(load_course_here())
    x = np.array([-2.0, 1.0, 3.0])
    expected = 1 / (1 + np.exp(-x))
    got = 1 / (1 + np.exp(x))
    first = diagnose("sigmoid", x, got, expected, np.dtype(np.float64), course)
    x[...] = 0.0  # the suite reuses its array: the memory is keyed by the values, not the object
    assert diagnose("sigmoid", np.array([-2.0, 1.0, 3.0]), got, expected, None, course) == first


def load_course_here():
    from activation_lab.course import load_course

    return load_course(REPO)


# --------------------------------------------------------------------------------------------------
# Timing: a forked child reads the environment again without a getpid() per phase
# --------------------------------------------------------------------------------------------------


def test_a_forked_child_reads_the_profile_setting_again(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(timing.ENV, raising=False)
    timing.reset()
    assert not timing.enabled()
    monkeypatch.setenv(timing.ENV, str(tmp_path))
    assert not timing.enabled()  # read once per process
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os._exit(0 if timing.enabled() else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    monkeypatch.delenv(timing.ENV)
    timing.reset()


# --------------------------------------------------------------------------------------------------
# A batch: the workers render; the files are what the parent would have written
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_batch_files_are_the_reports_rendered_from_their_records(tmp_path, lang) -> None:
    klass = tmp_path / "class"
    corpus = REPO / "tests" / "corpus"
    for index, source in enumerate([REPO / "solutions", corpus / "wrong" / "sigmoid"]):
        folder = klass / f"student{index}"
        folder.mkdir(parents=True)
        for spec_file in ("sigmoid.py", "relu.py"):
            path = source / spec_file
            if not path.is_file():
                path = sorted(source.glob("*.py"))[0]
            folder.joinpath(spec_file).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (klass / "broken.zip").write_bytes(b"not a zip")  # decided by the parent, not a worker
    ctx = make_context(REPO, isolation="none")
    out = tmp_path / "out"
    result = grade_batch([klass], ctx, lang=lang, jobs=2, out_dir=out)
    assert len(result.reports) == 3
    for report in result.reports:
        name = report["submission"].removesuffix(".zip")
        written = (out / f"{name}.json").read_text(encoding="utf-8")
        assert written == dumps_report(report)
        stored = read_records(records_path(out, name))
        if report["status"] == "graded":
            assert stored is not None
            assert dumps_report(report_to_json(stored, lang)) == written
            kept = records_path(out, name).read_text(encoding="utf-8")
            assert kept == json.dumps({"format": 1, **_data_the_long_way(stored)}, ensure_ascii=False) + "\n"


def _data_the_long_way(value):
    """``stored._data`` as written before its field names were cached: ``fields()`` per record."""
    from dataclasses import fields, is_dataclass

    from activation_lab.i18n import Message
    from activation_lab.reports.stored import _message_data

    if isinstance(value, Message):
        return _message_data(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _data_the_long_way(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_data_the_long_way(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------------
# The rng fixture: kept seed sequences give what a new default_rng gives
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 7, -1, 2**40])
def test_rng_from_a_kept_seed_sequence_draws_what_default_rng_draws(seed) -> None:
    import zlib

    from activation_lab.grading.suites import _seed_sequence

    crc = zlib.crc32(b"sigmoid::test_sigmoid_random")
    for _ in range(3):  # the first made, then kept, then kept after its children were spawned
        fresh = np.random.default_rng([seed & 0xFFFFFFFF, crc])
        kept = np.random.Generator(np.random.PCG64(_seed_sequence(seed, "sigmoid", "test_sigmoid_random")))
        assert np.array_equal(fresh.uniform(-100, 100, size=20), kept.uniform(-100, 100, size=20))
        fresh_children, kept_children = fresh.spawn(2), kept.spawn(2)
        for a, b in zip(fresh_children, kept_children, strict=True):
            assert np.array_equal(a.random(4), b.random(4))


# --------------------------------------------------------------------------------------------------
# Hidden tests: values that are never shown are never described
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check_call",
    [
        pytest.param(lambda c: c.matches("sigmoid", np.array([-2.0, 0.0, 3.0])), id="matches"),
        pytest.param(lambda c: c.matches_each("sigmoid", [0.0, 1.0]), id="matches_each"),
        pytest.param(lambda c: c.output("sigmoid", np.array([1.0, 2.0])), id="output"),
    ],
)
def test_a_hidden_checks_feedback_is_the_same_without_describing_values(check_call) -> None:
    from activation_lab.grading.checks import Checker, CheckFailure, failure_message
    from activation_lab.grading.student import InProcessStudent
    from activation_lab.grading.suites import load_reference

    course = load_course_here()
    spec = course.exercise("sigmoid")
    reference = load_reference(course, spec)
    course_hints = load_misconceptions(course)
    wrong = REPO / "tests" / "corpus" / "wrong" / "sigmoid"
    compared = 0
    for path in [wrong / "exp_sign.py", wrong / "dtype_int.py", wrong / "print_result.py"]:
        failures = []
        for shows in (True, False):
            checker = Checker(InProcessStudent(path), reference, course_hints, shows_values=shows)
            try:
                check_call(checker)
            except CheckFailure as failure:
                failures.append(failure.failure)
        if len(failures) < 2:
            continue
        shown, hidden = failures
        assert shown.got is not None and hidden.expected is None and hidden.got is None
        assert failure_message(shown, hidden=True) == failure_message(hidden, hidden=True)
        compared += 1
    assert compared  # the wrong files do fail this check


def _explaining_the_long_way(name, x, got, expected, got_dtype, course):
    """``_explaining_candidates`` as it was before the memo: every candidate, one ``np.isclose`` at a time."""
    from activation_lab.grading import misconceptions as m

    def matches(a, b, rtol, atol):
        return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)))

    formulas = [(k, c(x), m.CANDIDATE_RTOL, m.CANDIDATE_ATOL) for k, c in course.candidates.get(name, ())]
    transforms = [
        (keys, transform(expected), m.EXACT_RTOL, m.EXACT_ATOL)
        for keys, digits, transform in m.TRANSFORMS
        if digits > 0 or "rounded_result" not in keys or name not in course.fractional_results
    ]
    matched = []
    for keys, values, rtol, atol in formulas + transforms:
        if not m._fits_dtype(name, keys, got_dtype, course):
            continue
        values = np.asarray(values, dtype=float)
        if not matches(expected, values, m.GRADING_RTOL, m.GRADING_ATOL) and matches(got, values, rtol, atol):
            matched.append(keys)
    simplest = [set(k) for k in matched if not any(set(other) < set(k) for other in matched)]
    if not simplest:
        return [], False
    shared = set.intersection(*simplest)
    return list(dict.fromkeys(key for keys in matched for key in keys if key in shared)), True


def test_explaining_candidates_agrees_with_the_long_way_for_every_course_formula() -> None:
    from activation_lab.grading import misconceptions as m
    from activation_lab.grading.suites import load_reference

    course = load_course_here()
    hints = load_misconceptions(course)
    inputs = [
        np.array(0.0),
        np.array(2.5),
        np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 30.0]),
        np.linspace(-5, 5, 12).reshape(3, 4),
        np.array([], dtype=float),
    ]
    compared = 0
    for spec in course.exercises:
        try:
            reference = load_reference(course, spec)
        except Exception:
            continue
        for name in spec.functions:
            if name not in hints.candidates:
                continue
            for x in inputs:
                with np.errstate(all="ignore"):
                    try:  # c2f takes numbers only; some formulas need an array
                        expected = np.asarray(getattr(reference, name)(x.copy()), dtype=float)
                        answers = [np.asarray(c(x), dtype=float) for _, c in hints.candidates[name]]
                    except (TypeError, ValueError):
                        continue
                    answers += [np.trunc(expected), np.round(expected, 2), expected + 0.5, expected]
                    for got in answers:
                        if got.shape != x.shape:
                            continue
                        for dtype in (None, np.dtype(np.float64), np.dtype(np.int64)):
                            long_way = _explaining_the_long_way(name, x, got, expected, dtype, hints)
                            short = m._explaining_candidates(name, x, got, expected, dtype, hints)
                            assert short == long_way, (name, x, got)
                            compared += 1
    assert compared > 100


def test_profile_phases_nest_exclusively_and_survive_exceptions(monkeypatch, tmp_path) -> None:
    import types

    now = [0.0]
    monkeypatch.setattr(timing, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    monkeypatch.setenv(timing.ENV, str(tmp_path))
    timing.reset()
    try:
        with timing.phase("outer"):
            now[0] += 1.0
            with timing.phase("inner"):
                now[0] += 10.0
            with pytest.raises(KeyError), timing.phase("inner"):
                now[0] += 100.0
                raise KeyError("a failing block is still timed and closed")
            now[0] += 1000.0
        timing.count("round_trips", 2)
        timing.flush("one")
    finally:
        monkeypatch.delenv(timing.ENV)
        timing.reset()
    [line] = (tmp_path / f"profile-{os.getpid()}.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["label"] == "one" and record["counts"] == {"round_trips": 2}
    assert record["seconds"] == {"inner": 110.0, "outer": 1001.0}  # nested time is not counted twice


# --------------------------------------------------------------------------------------------------
# A reference changed between runs: imported again, and nothing remembered of the old one is used
# --------------------------------------------------------------------------------------------------


def test_a_reference_changed_between_runs_is_used_with_its_own_outputs(tmp_path) -> None:
    import shutil

    from activation_lab.course import load_course
    from activation_lab.grading.student import InProcessStudent
    from activation_lab.grading.suites import run_suites

    root = tmp_path / "course"
    shutil.copytree(REPO / "autograder", root / "autograder")
    shutil.copytree(REPO / "solutions", root / "solutions")
    original = tmp_path / "student" / "c2f.py"
    original.parent.mkdir()
    shutil.copyfile(root / "solutions" / "c2f.py", original)
    course = load_course(root)
    student = InProcessStudent(original)
    assert run_suites(course, {"c2f": student}, seed=0)["c2f"].score == 10
    reference = root / "solutions" / "c2f.py"
    reference.write_text(
        reference.read_text(encoding="utf-8").replace("9 / 5 * C + 32", "9 / 5 * C + 33"), encoding="utf-8"
    )
    stat = reference.stat()
    os.utime(reference, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert run_suites(course, {"c2f": student}, seed=0)["c2f"].score < 10  # the old outputs are not reused


def test_a_report_a_worker_cannot_render_is_rendered_by_the_parent(tmp_path, monkeypatch) -> None:
    from activation_lab.grading import batch

    parent = os.getpid()
    real = batch.report_to_json

    def fails_in_workers(report, lang):
        if os.getpid() != parent:
            raise RuntimeError("rendering broke in a worker")
        return real(report, lang)

    monkeypatch.setattr(batch, "report_to_json", fails_in_workers)
    klass = tmp_path / "class"
    for name in ("ann", "bob"):
        (klass / name).mkdir(parents=True)
        (klass / name / "relu.py").write_text((REPO / "solutions" / "relu.py").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    result = grade_batch([klass], make_context(REPO, isolation="none"), lang="en", jobs=2, out_dir=out)
    assert [r["status"] for r in result.reports] == ["graded", "graded"]  # no worker died
    assert result.grader_faults == 0
    for report in result.reports:
        assert (out / f"{report['submission']}.json").read_text(encoding="utf-8") == dumps_report(report)
        assert read_records(records_path(out, report["submission"])) is not None
