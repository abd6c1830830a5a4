"""The comparison rules of checks.py and each misconception detector, one table row per case."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from activation_lab.course import load_course
from activation_lab.grading.checks import (
    Checker,
    CheckFailure,
    Failure,
    Tolerance,
    compare,
    describe,
    failure_message,
    hint_message,
    output_failure,
)
from activation_lab.grading.misconceptions import TRANSFORMS, diagnose, hints_from_raised
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import load_misconceptions, load_reference
from activation_lab.i18n import Message, load_catalog, render
from activation_lab.records import Opaque, Raised

REPO = Path(__file__).resolve().parents[1]
COURSE = load_course(REPO)
MISCONCEPTIONS = load_misconceptions(COURSE)  # the course's autograder/misconceptions.py

X = np.array([-3.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 2.0, 7.5])


def _sig(x):
    return 1 / (1 + np.exp(-x))


# --------------------------------------------------------------------------------------------------
# compare: tolerance, nan and inf
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("got", "expected", "tol", "equal"),
    [
        pytest.param([1.0, 2.0], [1.0, 2.0], Tolerance(), True, id="identical"),
        pytest.param([1.0 + 5e-8], [1.0], Tolerance(), True, id="within-rtol"),
        pytest.param([1.0 + 5e-7], [1.0], Tolerance(), False, id="beyond-rtol"),
        pytest.param([5e-10], [0.0], Tolerance(), True, id="within-atol-near-zero"),
        pytest.param([5e-9], [0.0], Tolerance(), False, id="beyond-atol-near-zero"),
        pytest.param([1.0 + 5e-7], [1.0], Tolerance(rtol=1e-6), True, id="configurable-rtol"),
        pytest.param([np.nan], [np.nan], Tolerance(), True, id="nan-matches-nan"),
        pytest.param([np.nan], [0.5], Tolerance(), False, id="nan-never-matches-a-number"),
        pytest.param([np.inf], [np.inf], Tolerance(), True, id="inf-matches-inf"),
        pytest.param([-np.inf], [np.inf], Tolerance(), False, id="inf-sign-matters"),
        pytest.param([1, 0, 1], [1.0, 0.0, 1.0], Tolerance(), True, id="int-equals-float"),
        pytest.param(7.0, 7, Tolerance(), True, id="scalars"),
    ],
)
def test_compare(got, expected, tol, equal) -> None:
    mismatch = compare(np.asarray(got), np.asarray(expected), tol)
    assert (mismatch is None) == equal


def test_compare_reports_count_first_index_and_max_error() -> None:
    mismatch = compare(np.array([[0.0, 1.0], [2.5, 3.0]]), np.array([[0.0, 1.0], [2.0, 4.0]]))
    assert mismatch is not None
    assert (mismatch.count, mismatch.total) == (2, 4)
    assert mismatch.first_index == (1, 0)
    assert mismatch.max_abs_error == pytest.approx(1.0)


def test_compare_flags_nan_at_the_first_mismatch() -> None:
    mismatch = compare(np.array([0.5, np.nan]), np.array([0.5, 1.0]))
    assert mismatch is not None and mismatch.nan_at_first


# --------------------------------------------------------------------------------------------------
# output rules of docs/contract.md, "Exercises"
# --------------------------------------------------------------------------------------------------


class _SubArray(np.ndarray):
    pass


class _SubFloat(float):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize(
    ("value", "arg", "problem", "hints"),
    [
        pytest.param(np.float64(0.5), 0.0, None, (), id="numpy-scalar-for-scalar"),
        pytest.param(0.5, 0, None, (), id="python-float-for-int"),
        pytest.param(1, np.int64(3), None, (), id="python-int-for-numpy-int"),
        pytest.param(np.array(0.5), 0.0, None, (), id="0d-array-for-scalar"),
        pytest.param(np.float64(0.5), np.array(0.0), None, (), id="scalar-for-0d-array"),
        pytest.param(np.zeros(3), np.ones(3), None, (), id="same-shape-array"),
        pytest.param(np.zeros(3, dtype=np.int64), np.ones(3), None, (), id="int-array-for-float-array"),
        pytest.param(np.zeros((0, 2)), np.ones((0, 2)), None, (), id="empty-array"),
        pytest.param(None, 0.0, "problem.returned_none", ("returned_none",), id="none"),
        pytest.param(True, 0.0, "problem.bool_result", ("bool_result",), id="python-bool"),
        pytest.param(np.True_, 0.0, "problem.bool_result", ("bool_result",), id="numpy-bool"),
        pytest.param(np.array([True]), np.ones(1), "problem.bool_result", ("bool_result",), id="bool-array"),
        pytest.param(
            Opaque("ndarray[bool]"), np.ones(1), "problem.bool_result", ("bool_result",), id="opaque-bool"
        ),
        pytest.param(Opaque("EvilFloat"), 0.0, "problem.not_numeric", (), id="opaque-object"),
        pytest.param("0.5", 0.0, "problem.not_numeric", (), id="string"),
        pytest.param(np.array(["a"]), np.ones(1), "problem.bad_dtype", (), id="str-array"),
        pytest.param(np.array([1 + 2j]), np.ones(1), "problem.bad_dtype", (), id="complex-array"),
        pytest.param(np.array([None]), np.ones(1), "problem.bad_dtype", (), id="object-array"),
        pytest.param([0, 1], np.ones(2), "problem.list_for_array", ("list_result",), id="list-for-array"),
        pytest.param([0.5], 0.0, "problem.not_numeric", ("list_result",), id="list-for-scalar"),
        pytest.param(
            1,
            np.array([5]),
            "problem.scalar_for_array",
            ("scalar_for_array",),
            id="bare-scalar-for-1-element",
        ),
        pytest.param(
            np.zeros(2), np.ones((1, 2)), "problem.scalar_for_array", ("scalar_for_array",), id="wrong-shape"
        ),
        pytest.param(np.zeros(1), 0.0, "problem.array_for_scalar", (), id="1-element-array-for-scalar"),
        pytest.param(
            np.zeros(3).view(_SubArray), np.ones(3), "problem.array_subclass", (), id="ndarray-subclass"
        ),
        pytest.param(_SubFloat(0.5), 0.0, "problem.not_numeric", (), id="float-subclass"),
        pytest.param(10**400, 0.0, "problem.not_numeric", (), id="huge-int"),
    ],
)
def test_output_rules(value, arg, problem, hints) -> None:
    broken = output_failure(value, arg)
    if problem is None:
        assert broken is None
    else:
        assert broken is not None
        assert broken[0].key == problem
        assert broken[2] == hints


# --------------------------------------------------------------------------------------------------
# misconceptions from exceptions
# --------------------------------------------------------------------------------------------------

AMBIGUOUS = "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"
SCALAR_ONLY = "only 0-dimensional arrays can be converted to Python scalars"
NP_INT = "module 'numpy' has no attribute 'int'.\n`np.int` was a deprecated alias for the builtin `int`."


@pytest.mark.parametrize(
    ("raised", "hints"),
    [
        pytest.param(
            Raised("NotImplementedError", "", "step.py:3: raise NotImplementedError"),
            ("not_attempted",),
            id="stub",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "step.py:3: if x >= 0:"), ("ambiguous_truth",), id="if-on-array"
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, ""), ("ambiguous_truth",), id="if-on-array-without-source"
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "relu.py:4: return x if x > 0 else 0"),
            ("ambiguous_truth",),
            id="ternary",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "relu.py:4: return max(0, x)"),
            ("builtin_max_on_array",),
            id="max",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "relu.py:4: return max(x, 0)"),
            ("builtin_max_on_array",),
            id="max-rev",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "c2f.py:2: return min(32, z)"),
            ("builtin_max_on_array",),
            id="builtin-min",
        ),
        pytest.param(
            Raised("AttributeError", NP_INT, "step.py:4: return np.array(x > 0, dtype=np.int)"),
            ("np_int_removed",),
            id="np-int",
        ),
        pytest.param(
            Raised("AttributeError", "module 'numpy' has no attribute 'float'", ""),
            ("np_int_removed",),
            id="np-float",
        ),
        pytest.param(
            Raised("AttributeError", "'list' object has no attribute 'shape'", "x.py:1: x.shape"),
            (),
            id="other-attr",
        ),
        pytest.param(
            Raised("TypeError", SCALAR_ONLY, "sigmoid.py:4: return 1 / (1 + math.exp(-x))"),
            ("math_on_array",),
            id="math-exp",
        ),
        pytest.param(
            Raised("TypeError", SCALAR_ONLY, "sigmoid.py:4: return 1 / (1 + exp(-x))"),
            ("math_on_array",),
            id="from-math",
        ),
        pytest.param(
            Raised("TypeError", SCALAR_ONLY, "step.py:3: return int(x >= 0)"), ("int_on_array",), id="int"
        ),
        pytest.param(
            Raised("TypeError", SCALAR_ONLY, "tanh.py:3: x = float(x)"), ("int_on_array",), id="float"
        ),
        pytest.param(
            Raised(
                "TypeError", "only length-1 arrays can be converted to Python scalars", "s.py:2: math.tanh(x)"
            ),
            ("math_on_array",),
            id="old-numpy-message",
        ),
        pytest.param(
            Raised("OverflowError", "math range error", "s.py:3: math.exp(-x)"),
            ("overflow_advice",),
            id="overflow",
        ),
        pytest.param(Raised("ZeroDivisionError", "division by zero", "s.py:3: 1/0"), (), id="unrelated"),
        pytest.param(
            Raised(
                "TypeError",
                "only integer scalar arrays can be converted to a scalar index",
                "relu.py:4: return np.max(0, x)",
            ),
            ("builtin_max_on_array",),
            id="np-max-with-an-axis",
        ),
        pytest.param(
            Raised("TypeError", "'int' object is not iterable", "relu.py:3: return [max(0, v) for v in x]"),
            ("scalar_input",),
            id="loop-over-a-number-is-scalar-input-not-max-on-an-array",
        ),
        pytest.param(
            Raised(
                "AttributeError", "'bool' object has no attribute 'astype'", "step.py:3: (x >= 0).astype(int)"
            ),
            ("scalar_input",),
            id="astype-on-a-python-bool",
        ),
        pytest.param(
            Raised(
                "AttributeError", "'int' object has no attribute 'clip'", "relu.py:3: return x.clip(min=0)"
            ),
            ("scalar_input",),
            id="clip-method-on-a-python-int",
        ),
        pytest.param(
            Raised("TypeError", "object of type 'float' has no len()", "relu.py:3: n = len(x)"),
            ("scalar_input",),
            id="len-of-a-python-float",
        ),
        pytest.param(
            Raised("AttributeError", "'int' object has no attribute 'sigmoid'", "t.py:3: x.sigmoid()"),
            (),
            id="not-an-ndarray-method-is-no-scalar-input",
        ),
        pytest.param(
            Raised(
                "ValueError",
                "cannot call `vectorize` on size 0 inputs unless `otypes` is set",
                "",
            ),
            ("vectorize_otypes",),
            id="vectorize-on-an-empty-array",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "step.py:5: return [1 if v >= 0 else 0 for v in x]"),
            ("loop_over_rows", "list_result"),
            id="returned-comprehension-over-rows",
        ),
        pytest.param(
            Raised("ValueError", AMBIGUOUS, "step.py:5: out = np.array([1 if v >= 0 else 0 for v in x])"),
            ("loop_over_rows",),
            id="array-of-a-comprehension-over-rows",
        ),
        pytest.param(
            Raised("NameError", "name 'np' is not defined", "sigmoid.py:2: return 1 / (1 + np.exp(-x))"),
            (),
            id="forgot-import-numpy-the-message-says-it",
        ),
        pytest.param(
            Raised("TypeError", "'float' object does not support item assignment", "relu.py:2: x[x < 0] = 0"),
            ("input_mutated",),
            id="item-assignment-on-a-number",
        ),
        pytest.param(
            Raised(
                "UFuncTypeError",
                "Cannot cast ufunc 'multiply' output from dtype('float64') to dtype('int64') "
                "with casting rule 'same_kind'",
                "sigmoid.py:2: x *= -1.0",
            ),
            ("input_mutated",),
            id="in-place-on-int-array",
        ),
        pytest.param(
            Raised("FloatingPointError", "overflow encountered in exp", ""), ("overflow_advice",), id="fpe"
        ),
    ],
)
def test_hints_from_raised(raised, hints) -> None:
    assert hints_from_raised(raised) == hints
    for key in hints:  # every key the detector gives has a text (a missing one would break the feedback)
        assert render(hint_message(key), "en") != render(hint_message(key), "ko")


# --------------------------------------------------------------------------------------------------
# misconceptions from wrong numbers (each candidate detector)
# --------------------------------------------------------------------------------------------------

C = np.array([-40.0, -20.0, -10.0, -1.0, 0.0, 10.0, 36.5, 100.0])
Z = np.array([-100.0, -5.0, 0.0, 20.0, 31.9, 32.0, 40.0, 212.0])
C_FRACTIONS = np.array([-20.0, 0.0, 36.6, 37.0, 41.3])  # °F with two decimals, which rounding changes


def _c2f(c, ratio=9 / 5):
    return np.maximum(ratio * c + 32, 32)


@pytest.mark.parametrize(
    ("name", "x", "got", "hint"),
    [
        pytest.param("sigmoid", X, 1 / (1 + np.exp(X)), "exp_sign", id="sigmoid-exp-sign"),
        pytest.param("sigmoid", X, 1 / (1 + 2.718**-X), "approx_e", id="sigmoid-2.718"),
        pytest.param("sigmoid", X, 1 / (1 + 2.7182**-X), "approx_e", id="sigmoid-2.7182"),
        pytest.param(
            "sigmoid", X, _sig(X.astype(np.float16)).astype(float), "low_precision", id="sigmoid-float16"
        ),
        pytest.param(
            "sigmoid_grad", X, np.exp(-X) / (1 + np.exp(-X)), "missing_square", id="sig-grad-no-square"
        ),
        pytest.param("sigmoid_grad", X, 1 - _sig(X), "sigmoid_grad_formula", id="sig-grad-one-minus-sigma"),
        pytest.param(
            "sigmoid_grad", X, _sig(X) * (1 + _sig(X)), "sigmoid_grad_formula", id="sig-grad-one-plus"
        ),
        pytest.param("sigmoid_grad", X, _sig(X) ** 2, "sigmoid_grad_formula", id="sig-grad-squared"),
        pytest.param(
            "sigmoid_grad",
            X,
            _sig(X * np.log(2.718)) * (1 - _sig(X * np.log(2.718))),
            "approx_e",
            id="sig-grad-e",
        ),
        pytest.param("tanh", X, 2 * _sig(X) - 1, "tanh_via_sigmoid_x", id="tanh-sigma-x"),
        pytest.param(
            "tanh", X, (np.exp(-X) - np.exp(X)) / (np.exp(X) + np.exp(-X)), "exp_sign", id="tanh-exp-sign"
        ),
        pytest.param("tanh", X, (2.718**X - 2.718**-X) / (2.718**X + 2.718**-X), "approx_e", id="tanh-2.718"),
        pytest.param(
            "tanh", X, np.tanh(X.astype(np.float16)).astype(float), "low_precision", id="tanh-float16"
        ),
        pytest.param("tanh_grad", X, 1 - np.tanh(X), "missing_square", id="tanh-grad-no-square"),
        pytest.param(
            "tanh_grad", X, 4 / (1 + np.exp(-X)) ** 2, "tanh_grad_slide_typo", id="tanh-grad-slide-typo"
        ),
        pytest.param("tanh_grad", X, 1 - np.tanh(X / 2) ** 2, "tanh_via_sigmoid_x", id="tanh-grad-own-tanh"),
        pytest.param("tanh_grad", X, 1 - np.tanh(X**2), "square_misplaced", id="tanh-grad-square-inside"),
        pytest.param("sigmoid_grad", X, 1 - _sig(X) ** 2, "sigmoid_grad_formula", id="sig-grad-one-minus-sq"),
        pytest.param("step", X, (X > 0) * 1, "step_strict_at_zero", id="step-strict"),
        pytest.param("bipolar_step", X, np.where(X > 0, 1, -1), "step_strict_at_zero", id="bipolar-strict"),
        pytest.param("bipolar_step", X, np.sign(X), "step_strict_at_zero", id="bipolar-sign"),
        pytest.param("bipolar_step", X, np.where(X >= 0, 1, 0), "bipolar_zero", id="bipolar-zero"),
        pytest.param("relu_grad", X, (X >= 0) * 1.0, "relu_grad_at_zero", id="relu-grad-one-at-zero"),
        pytest.param("relu_grad", X, np.heaviside(X, 0.5), "relu_grad_at_zero", id="relu-grad-half-at-zero"),
        pytest.param("step", X, np.heaviside(X, 0.5), "step_strict_at_zero", id="step-half-at-zero"),
        pytest.param("tanh_grad", X, 1 - np.tanh(X) * 2, "missing_square", id="tanh-grad-times-two"),
        pytest.param(
            "sigmoid_grad", X, np.exp(-X) / (1 + np.exp(-X)) * 2, "missing_square", id="sig-grad-times-two"
        ),
        pytest.param("C2F", C, _c2f(C, 5 / 9), "c2f_inverted_ratio", id="c2f-5/9"),
        pytest.param("C2F", C, _c2f(C, 1), "c2f_floor_div", id="c2f-9//5"),
        pytest.param(
            "C2F", C, np.where(9 / 5 * C + 32 < 0, 0, 9 / 5 * C + 32), "c2f_clamp_zero", id="c2f-clamp-0"
        ),
        pytest.param("C2F", C, 9 / 5 * C + 32, "c2f_no_clamp", id="c2f-no-clamp"),
        pytest.param("C2F", C, 9 / 5 * np.maximum(C, 32) + 32, "c2f_clamp_before_linear", id="c2f-clamp-C"),
        pytest.param("C2F", C, 5 / 9 * C + 32, "c2f_inverted_ratio", id="c2f-two-mistakes"),
        pytest.param("C2F", C, np.maximum(5 / 9 * (C - 32), 32), "c2f_inverted_ratio", id="c2f-f-to-c"),
        pytest.param("C2F", C, 5 / 9 * (C - 32), "c2f_inverted_ratio", id="c2f-f-to-c-no-clamp"),
        pytest.param("activate", Z, Z, "c2f_no_clamp", id="activate-identity"),
        pytest.param("activate", Z, np.where(Z < 0, 0, Z), "c2f_clamp_zero", id="activate-clamp-0"),
        pytest.param(
            "C2F", C, np.maximum(9 / 5 * C, 32) + 32, "c2f_clamp_before_linear", id="c2f-bias-after"
        ),
        pytest.param("C2F", C, np.floor(_c2f(C)).astype(int), "int_truncation", id="c2f-int"),
        pytest.param("C2F", C_FRACTIONS, np.round(_c2f(C_FRACTIONS), 1), "rounded_result", id="c2f-round-1"),
        pytest.param("C2F", C_FRACTIONS, np.round(_c2f(C_FRACTIONS)), "rounded_result", id="c2f-round-0"),
        pytest.param("tanh", X, 2 * _sig(2 * X), "tanh_missing_minus_one", id="tanh-no-minus-one"),
        pytest.param(
            "tanh_grad", X, 1 - (2 * _sig(2 * X)) ** 2, "tanh_missing_minus_one", id="tanh-grad-of-own-tanh"
        ),
        pytest.param("sigmoid", X, 1 / 1 + np.exp(-X), "missing_parentheses", id="sigmoid-1/1+exp"),
        pytest.param("sigmoid_grad", X, _sig(X) * 1 - _sig(X), "missing_parentheses", id="sig-grad-s*1-s"),
        pytest.param("tanh", X, 2 / 1 + np.exp(-2 * X) - 1, "missing_parentheses", id="tanh-2/1+exp"),
        pytest.param("relu_grad", X, np.sign(X), "relu_grad_sign", id="relu-grad-sign"),
        pytest.param("sigmoid", X, _sig(X).astype(int), "int_truncation", id="sigmoid-astype-int"),
        pytest.param(
            "sigmoid_grad", X, (_sig(X) * (1 - _sig(X))).astype(int), "int_truncation", id="sig-grad-int"
        ),
        pytest.param("relu", X, np.maximum(0, X).astype(int), "int_truncation", id="relu-astype-int"),
        pytest.param("sigmoid", X, np.round(_sig(X), 3), "rounded_result", id="sigmoid-round-3"),
    ],
)
def test_diagnose_names_the_mistake(name, x, got, hint) -> None:
    exercise_id = next(spec.id for spec in COURSE.exercises if name in spec.functions)
    reference = load_reference(COURSE, COURSE.exercise(exercise_id))
    function = getattr(reference, name)
    expected = np.array([function(v) for v in x], dtype=float)
    got = np.asarray(got)
    assert hint in diagnose(name, x, got, expected, got.dtype, MISCONCEPTIONS)


@pytest.mark.parametrize(
    ("name", "got"),
    [
        pytest.param("sigmoid", _sig(X), id="sigmoid-right"),
        pytest.param("tanh", 2 * _sig(2 * X) - 1, id="tanh-right"),
        pytest.param("step", (X >= 0) * 1, id="step-right"),
    ],
)
def test_diagnose_is_silent_on_right_values(name, got) -> None:
    expected = {"sigmoid": _sig(X), "tanh": np.tanh(X), "step": np.where(X >= 0, 1, 0)}[name]
    assert diagnose(name, X, got, expected, None, MISCONCEPTIONS) == ()


def test_a_step_wrong_everywhere_is_not_called_strict_at_zero() -> None:
    assert "step_strict_at_zero" not in diagnose(
        "step", X, np.zeros_like(X), np.where(X >= 0, 1.0, 0.0), None, MISCONCEPTIONS
    )


B = np.array([0.0, 0.0, 1e-9, -1e-9, -0.5, 0.5])  # the C2F boundary test: most wrong formulas give 32 here


@pytest.mark.parametrize(
    ("got", "hints"),
    [
        # int(activate(...)): 32 everywhere, as 5/9·(C − 32) clamped would give too: say nothing here
        pytest.param(np.floor(_c2f(B)), (), id="int-near-zero-is-not-called-inverted"),
        # activate(9/5·C) + 32 = 64 also equals 1·max(C, 32) + 32: not 9//5 as well
        pytest.param(
            np.maximum(9 / 5 * B, 32) + 32, ("c2f_clamp_before_linear",), id="bias-after-not-floor-div"
        ),
        # the result of activate(F) discarded: F itself; clamping at 0 would give the same numbers here
        pytest.param(9 / 5 * B + 32, (), id="no-clamp-is-not-also-clamp-zero"),
    ],
)
def test_c2f_hints_only_from_inputs_that_tell_formulas_apart(got, hints) -> None:
    assert diagnose("C2F", B, got, _c2f(B), None, MISCONCEPTIONS) == hints


@pytest.mark.parametrize(
    ("dtype", "hint"),
    [
        pytest.param(np.dtype(np.int64), "int_truncation", id="integer-zeros-are-truncation"),
        pytest.param(np.dtype(np.float64), "missing_parentheses", id="float-zeros-are-s*1-s"),
    ],
)
def test_a_zero_derivative_is_told_apart_by_its_dtype(dtype, hint) -> None:
    expected = _sig(X) * (1 - _sig(X))
    assert diagnose("sigmoid_grad", X, np.zeros_like(X), expected, dtype, MISCONCEPTIONS) == (hint,)


@pytest.mark.parametrize(
    ("name", "x", "got", "dtype", "hints"),
    [
        # float32 gives tanh'(−3) = 0.0098659992, within 1e-7 of round(tanh'(−3), 6) = 0.009866
        pytest.param(
            "tanh_grad",
            np.array(-3),
            np.array(1 - np.tanh(np.float32(-3)) ** 2),
            np.dtype(np.float32),
            ("low_precision",),
            id="float32-is-not-rounding",
        ),
        # e = 2.7182 gives σ(3) = 0.9525700467, 5e-11 from round(σ(3), 5) = 0.95257
        pytest.param(
            "sigmoid",
            np.array(3.0),
            np.array(1 / (1 + 2.7182**-3)),
            np.dtype(np.float64),
            ("approx_e",),
            id="approx-e-near-a-rounded-value-by-chance",
        ),
        pytest.param(
            "sigmoid",
            X,
            np.round(_sig(X), 5),
            None,
            ("rounded_result",),
            id="rounded-to-5-digits",
        ),
    ],
)
def test_rounding_is_named_only_for_exactly_rounded_values(name, x, got, dtype, hints) -> None:
    reference = {"sigmoid": _sig, "tanh_grad": lambda v: 1 - np.tanh(v) ** 2}[name]
    assert diagnose(name, x, got, reference(x.astype(float)), dtype, MISCONCEPTIONS) == hints


def test_diagnose_prefers_the_simplest_explanation() -> None:
    # σ' is even: an approximate e explains these values with or without a sign error; say only approx_e.
    scaled = X * np.log(2.718)
    got = _sig(scaled) * (1 - _sig(scaled))
    expected = _sig(X) * (1 - _sig(X))
    assert diagnose("sigmoid_grad", X, got, expected, None, MISCONCEPTIONS) == ("approx_e",)


# --------------------------------------------------------------------------------------------------
# descriptions and rendering
# --------------------------------------------------------------------------------------------------


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("repr must never be called on student objects")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(np.float64(0.5), "np.float64(0.5)", id="numpy-scalar"),
        pytest.param(3, "3", id="int"),
        pytest.param(np.array([-1, 2, 3]), "np.array([-1,  2,  3])", id="int-array"),
        pytest.param(np.array([1.5], dtype=np.float32), "np.array([1.5], dtype=float32)", id="float32-array"),
        pytest.param(Opaque("EvilFloat"), "<EvilFloat>", id="opaque"),
        pytest.param([1, 2], "<list of length 2>", id="list"),
        pytest.param(_Hostile(), "<test_checks._Hostile>", id="hostile-object"),
    ],
)
def test_describe(value, text) -> None:
    assert describe(value).replace("tests.test_checks", "test_checks") == text


FAILURE = Failure(
    call="step(0)",
    problem=Message("feedback", "problem.value_differs", {"error": "1"}),
    expected="np.int64(1)",
    got="np.int64(0)",
    rule=Message("feedback", "rule.tolerance", {"rtol": 1e-7, "atol": 1e-9}),
    hints=("step_strict_at_zero",),
)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_public_failures_show_expected_and_got(lang) -> None:
    text = render(failure_message(FAILURE, hidden=False), lang)
    assert "np.int64(1)" in text and "np.int64(0)" in text
    assert "step(0)" in text and "1e-07" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_hidden_failures_hide_expected_and_got(lang) -> None:
    text = render(failure_message(FAILURE, hidden=True), lang)
    assert "np.int64(1)" not in text and "np.int64(0)" not in text
    assert "step(0)" in text and "1e-07" in text


def test_failures_render_in_the_requested_language() -> None:
    english = render(failure_message(FAILURE, hidden=True), "en")
    korean = render(failure_message(FAILURE, hidden=True), "ko")
    assert "Hint:" in english and "formula wins" in english
    assert "힌트:" in korean and "수식이 우선" in korean


# --------------------------------------------------------------------------------------------------
# the checker with real (in-process) student code
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def make_checker(tmp_path):
    """A Checker for a student file written on the fly, against the real reference solutions."""

    def make(exercise: str, source: str) -> Checker:
        folder = tmp_path / f"student_{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / f"{exercise}.py").write_text(source)
        reference = load_reference(COURSE, COURSE.exercise(exercise))
        return Checker(InProcessStudent(folder / f"{exercise}.py"), reference, MISCONCEPTIONS)

    return make


def test_checker_detects_a_mutated_input(make_checker) -> None:
    check = make_checker("relu", "def relu(x):\n    x[x < 0] = 0\n    return x\n")
    check.matches("relu", np.array([-1.0, 2.0]))  # the values are right
    with pytest.raises(CheckFailure) as caught:
        check.unchanged("relu", np.array([-1.0, 2.0]))
    assert caught.value.failure.hints == ("input_mutated",)


def test_checker_reports_a_missing_function(make_checker) -> None:
    check = make_checker("relu", "def relu(x):\n    return x\n")
    with pytest.raises(CheckFailure) as caught:
        check.matches("relu_grad", 1.0)
    assert caught.value.failure.hints == ("missing_function",)


def test_checker_says_what_was_printed_when_none_is_returned(make_checker) -> None:
    check = make_checker("relu", "import numpy as np\ndef relu(x):\n    print(np.maximum(0, x))\n")
    with pytest.raises(CheckFailure) as caught:
        check.matches("relu", 2.0)
    assert caught.value.failure.hints == ("returned_none",)
    assert "2.0" in render(failure_message(caught.value.failure, hidden=True), "en")


def test_checker_never_fails_on_warnings_but_gives_advice(make_checker) -> None:
    check = make_checker("sigmoid", "import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    check.matches("sigmoid", np.array([-1000.0, 0.0, 1000.0]))
    assert check.advice == ["overflow_advice"]


def test_checker_names_a_returned_list(make_checker) -> None:
    check = make_checker("relu", "def relu(x):\n    return [v if v > 0 else 0 for v in x]\n")
    with pytest.raises(CheckFailure) as caught:
        check.matches("relu", np.array([-1.0, 2.0]))
    assert caught.value.failure.hints == ("list_result",)


def test_checker_bool_from_strict_comparison_names_both_mistakes(make_checker) -> None:
    check = make_checker("step", "def step(x):\n    return x > 0\n")
    with pytest.raises(CheckFailure) as caught:
        check.matches("step", np.array([-1.0, 0.0, 2.0]))
    assert set(caught.value.failure.hints) == {"bool_result", "step_strict_at_zero"}


# --------------------------------------------------------------------------------------------------
# the catalogue holds every hint key the architecture lists and the detectors produce
# --------------------------------------------------------------------------------------------------


def _architecture_hint_keys() -> set[str]:
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Misconception hints", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))


def test_every_architecture_hint_key_has_a_bilingual_text() -> None:
    keys = _architecture_hint_keys()
    assert len(keys) >= 25
    for key in sorted(keys):
        assert render(hint_message(key), "en") != render(hint_message(key), "ko"), key


def test_every_detector_key_is_in_the_catalogue() -> None:
    catalogue = {key.removeprefix("hint.") for key in load_catalog("feedback") if key.startswith("hint.")}
    produced = {
        key for candidates in MISCONCEPTIONS.candidates.values() for keys, _ in candidates for key in keys
    }
    produced |= {key for keys, _, _ in TRANSFORMS for key in keys}
    produced |= {"list_result", "scalar_for_array", "bool_result", "returned_none", "input_mutated"}
    assert produced <= catalogue


def test_every_hint_of_the_catalogue_renders_in_both_languages() -> None:
    keys = [key.removeprefix("hint.") for key in load_catalog("feedback") if key.startswith("hint.")]
    assert len(keys) >= 35
    for key in keys:  # str.format runs on every text: a stray brace would raise here
        assert render(hint_message(key), "en") != render(hint_message(key), "ko"), key


def test_a_false_property_names_where_it_fails(make_checker) -> None:
    check = make_checker("relu", "def relu(x):\n    return x\n")
    x = np.array([-1.0, 2.0, -3.0])
    with pytest.raises(CheckFailure) as caught:
        check.true_everywhere(check.output("relu", x).values >= 0, prop="ReLU(x) ≥ 0", x=x, call="relu(x)")
    text = render(failure_message(caught.value.failure, hidden=True), "en")
    assert "ReLU(x) ≥ 0 fails at 2 of 3 inputs; first at index 0 (input -1.0)" in text


# --------------------------------------------------------------------------------------------------
# the batched checks report what the loops they replace report
# --------------------------------------------------------------------------------------------------

CORPUS_FILES = sorted((REPO / "tests" / "corpus").glob("*/*/*.py"))
BATCH_INPUTS = [0, 3, -2, 0.5, np.float64(1e-9), np.int64(-4), np.float32(1.5), np.array(0.75)]
BATCH_INPUTS += [
    np.array([-3, 0, 2]),
    np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
]
BATCH_INPUTS += [np.array([-1000.0, 710.0, 1000.0]), 37, 36.6, -40]
SINGLE_OF = {
    "matches_every": "matches",
    "outputs": "output",
    "unchanged_every": "unchanged",
    "matches_each": "output",
}


def _run(checker: Checker, method: str, name: str, inputs: list) -> tuple[list | None, Failure | None]:
    """What a check gives: its outputs or its failure (a loop of single checks for a single method)."""
    try:
        if method in SINGLE_OF.values():
            return [getattr(checker, method)(name, x) for x in inputs], None
        result = getattr(checker, method)(name, inputs)
        return ([] if result is None else list(result)), None
    except CheckFailure as failed:
        return None, failed.failure


def _corpus_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_corpus_id)
def test_batched_checks_fail_where_the_loops_fail_with_the_same_feedback(make_checker, path: Path) -> None:
    exercise = path.parent.name
    source = path.read_text(encoding="utf-8")
    inputs = [x for x in BATCH_INPUTS if exercise != "c2f" or np.ndim(x) == 0]
    for name in COURSE.exercise(exercise).functions:
        for batched, single in SINGLE_OF.items():
            if batched == "matches_each" and exercise != "c2f":
                continue
            looped, batch = make_checker(exercise, source), make_checker(exercise, source)
            loop_values, loop_failure = _run(looped, single, name, inputs)
            batch_values, batch_failure = _run(batch, batched, name, inputs)
            if batched == "matches_each":  # it compares after the outputs: the same failure when one breaks
                assert batch_failure == loop_failure or (loop_failure is None and batch_values is None)
                continue
            assert batch_failure == loop_failure, (name, batched)
            assert batch.advice == looped.advice, (name, batched)
            if batched != "unchanged_every" and loop_values is not None:
                assert batch_values is not None and len(batch_values) == len(loop_values)
                for got, expected in zip(batch_values, loop_values, strict=True):
                    np.testing.assert_array_equal(got.values, expected.values)
