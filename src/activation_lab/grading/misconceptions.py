"""Misconceptions recognised in a student's mistake: from the exception raised, or from the wrong numbers.

``hints_from_raised`` reads an exception's type, message and the student's own source line (``if x >= 0:``
raising "truth value ... ambiguous" is ``ambiguous_truth``). ``diagnose`` compares wrong values with candidate
wrong formulas (σ(−x), e ≈ 2.718, 2σ(x) − 1, 5/9·C + 32, ...) and with patterns (a step wrong only at 0). The
keys name ``[hint.*]`` texts of ``messages/feedback.toml``. Adding an exercise needs no entry here: without
candidates a function is still graded, only without number-based hints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from activation_lab.records import Raised

# A candidate must give other values than the reference (at grading tolerance) and reproduce the student's
# values at a looser one, so that another algebraic form of the same wrong formula still matches.
GRADING_RTOL, GRADING_ATOL = 1e-7, 1e-9
CANDIDATE_RTOL, CANDIDATE_ATOL = 1e-6, 1e-8
# A cut-off or rounded reference is matched exactly (up to float rounding): at one point a wrong formula can
# come within 1e-10 of round(σ(3), 5) by chance.
EXACT_RTOL, EXACT_ATOL = 1e-12, 1e-12


_BUILTIN_MINMAX = re.compile(r"(?<![\w.])(max|min)\s*\(")
# np.max(0, x) takes x as an axis: "only integer scalar arrays can be converted to a scalar index"
_NP_MAX = re.compile(r"\b(np|numpy)\.(max|min|amax|amin)\s*\(")
_MATH_CALL = re.compile(r"(?<![\w.])(math\.\w+|exp|tanh|sqrt|log)\s*\(")
_INT_CALL = re.compile(r"(?<![\w.])(int|float)\s*\(")
_NP_ALIAS = re.compile(r"\b(np|numpy)\.(int|float|bool|object|str|long|unicode|complex)\b(?![\w])")
_REMOVED_ALIAS_MESSAGE = re.compile(r"has no attribute '(int|float|bool|object|str|long|unicode|complex)'")
_IN_PLACE = re.compile(r"^\s*\w+\s*(\[.*\]\s*(?:[-+*/]|//|\*\*)?=|(?:[-+*/]|//|\*\*)=)(?!=)")
_SCALAR_CONVERSION = ("only 0-dimensional arrays", "only length-1 arrays", "only size-1 arrays")
# `x.astype(int)`, `x.clip(min=0)`, `len(x)`, `for v in x` on a Python number (NumPy scalars have the methods)
_NUMBER_LACKS = re.compile(r"'(int|float|bool)' object has no attribute '(\w+)'")
_NUMBER_NOT_ARRAY = re.compile(
    r"'(int|float|bool)' object is not (iterable|subscriptable)|object of type '(int|float|bool)' has no len"
)
_LOOP = re.compile(r"\bfor\s+\w+\s+in\b")
_RETURNS_LIST = re.compile(r"^return\s*[\[(]|^return\s+list\(")


def _student_line(raised: Raised) -> str:
    """The source text of the innermost student frame (``file.py:12: code``), or ``""``."""
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    if not lines:
        return ""
    parts = lines[-1].split(":", 2)
    return parts[2].strip() if len(parts) == 3 else lines[-1].strip()


def student_where(raised: Raised) -> str:
    """Where in the student's file an exception was raised (``file.py:12: code``), or ``""``."""
    lines = [line for line in raised.traceback.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def hints_from_raised(raised: Raised) -> tuple[str, ...]:
    """Misconception keys recognised from an exception's type, message and the student's source line."""
    source = _student_line(raised)
    text = raised.message
    if raised.type == "NotImplementedError":
        return ("not_attempted",)
    if raised.type == "AttributeError" and (_REMOVED_ALIAS_MESSAGE.search(text) or _NP_ALIAS.search(source)):
        return ("np_int_removed",)
    if raised.type == "OverflowError":
        return ("overflow_advice",)
    lacks = _NUMBER_LACKS.search(text)
    if raised.type == "AttributeError" and lacks and hasattr(np.ndarray, lacks.group(2)):
        return ("scalar_input",)
    if raised.type == "TypeError" and _NUMBER_NOT_ARRAY.search(text):
        return ("scalar_input",)
    if "vectorize" in text and "otypes" in text:
        return ("vectorize_otypes",)
    ambiguous = "truth value" in text and "ambiguous" in text
    if ambiguous and _BUILTIN_MINMAX.search(source):  # max(0, x) compares the whole array with 0
        return ("builtin_max_on_array",)
    if raised.type in ("TypeError", "AxisError", "ValueError") and _NP_MAX.search(source):
        return ("builtin_max_on_array",)
    scalar_only = any(phrase in text for phrase in _SCALAR_CONVERSION)
    if scalar_only or (raised.type == "TypeError" and "math" in text):
        if "math." in source:
            return ("math_on_array",)
        if _INT_CALL.search(source):
            return ("int_on_array",)
        if _MATH_CALL.search(source) and "np." not in source:
            return ("math_on_array",)
        return ()
    if ambiguous and _LOOP.search(source):
        # `[... for v in x]` over a 2-D array: v is a row, so `v >= 0` is an array again
        return ("loop_over_rows", "list_result") if _RETURNS_LIST.search(source) else ("loop_over_rows",)
    if ambiguous:
        return ("ambiguous_truth",)
    if raised.type == "FloatingPointError":
        return ("overflow_advice",)
    # `x[x < 0] = 0` on a number, or `x *= 0.5` on an int array: the function writes into its argument
    if "does not support item assignment" in text or ("Cannot cast ufunc" in text and "same_kind" in text):
        return ("input_mutated",)
    if _IN_PLACE.search(source) and raised.type in ("TypeError", "UFuncTypeError", "ValueError"):
        return ("input_mutated",)
    return ()


# ----------------------------------------------------------------------------------------------------
# Misconceptions recognised from wrong numbers
# ----------------------------------------------------------------------------------------------------

APPROX_E = (2.7, 2.71, 2.718, 2.7182, 2.71828, 2.72)


def _sig(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sig_grad(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def _exp(x: np.ndarray) -> np.ndarray:
    return np.exp(np.clip(x, -700, 700))


def _tanh_grad(x: np.ndarray) -> np.ndarray:
    return 1 - np.tanh(x) ** 2


def _with_approx_e(function: Callable[[np.ndarray], np.ndarray]) -> list[tuple[tuple[str, ...], Any]]:
    # E^x = e^(x·ln E): a formula written with an approximate e is the exact function of a rescaled input.
    out: list[tuple[tuple[str, ...], Any]] = []
    for approx in APPROX_E:
        scale = math.log(approx)
        out.append((("approx_e",), lambda x, s=scale: function(x * s)))
        out.append((("approx_e", "exp_sign"), lambda x, s=scale: function(-x * s)))
    return out


def _c2f_grid() -> list[tuple[tuple[str, ...], Any]]:
    ratios = {(): 9 / 5, ("c2f_inverted_ratio",): 5 / 9, ("c2f_floor_div",): 1.0}
    clamps: dict[tuple[str, ...], Callable[[np.ndarray, float], np.ndarray]] = {
        (): lambda c, r: np.maximum(r * c + 32, 32),
        ("c2f_clamp_zero",): lambda c, r: np.where(r * c + 32 < 0, 0, r * c + 32),
        ("c2f_no_clamp",): lambda c, r: r * c + 32,
        ("c2f_clamp_before_linear",): lambda c, r: r * np.maximum(c, 32) + 32,
        # activate(9/5 * C) + 32: the activation applied before the bias is added
        ("c2f_clamp_before_linear", ""): lambda c, r: np.maximum(r * c, 32) + 32,
    }
    # Fahrenheit-to-Celsius written instead, 5/9·(C − 32), with or without the clamp
    grid: list[tuple[tuple[str, ...], Any]] = [
        (("c2f_inverted_ratio",), lambda c: np.maximum(5 / 9 * (c - 32), 32)),
        (("c2f_inverted_ratio", "c2f_no_clamp"), lambda c: 5 / 9 * (c - 32)),
    ]
    for ratio_keys, ratio in ratios.items():
        for clamp_keys, clamp in clamps.items():
            keys = tuple(k for k in ratio_keys + clamp_keys if k)
            if keys:
                grid.append((keys, lambda c, r=ratio, f=clamp: f(c, r)))
    return grid


# Candidate wrong formulas per function: (hint keys, values as a function of the input).
CANDIDATES: dict[str, list[tuple[tuple[str, ...], Any]]] = {
    "sigmoid": [
        (("exp_sign",), lambda x: _sig(-x)),
        (("missing_parentheses",), lambda x: 1 + _exp(-x)),  # 1/1+np.exp(-x) is (1/1) + e^−x
        (("missing_parentheses", "exp_sign"), lambda x: 1 + _exp(x)),
        *_with_approx_e(_sig),
    ],
    "sigmoid_grad": [
        (("missing_square", "sigmoid_grad_formula"), lambda x: _sig(-x)),  # e^−x/(1+e^−x) = 1 − σ(x)
        (("missing_square",), lambda x: 2 * _sig(-x)),  # e^−x / (1 + e^−x) * 2: `* 2` typed for `** 2`
        (("sigmoid_grad_formula",), lambda x: _sig(x) * (1 + _sig(x))),
        (("sigmoid_grad_formula",), lambda x: _sig(x) ** 2),
        (("sigmoid_grad_formula",), lambda x: _sig(x)),
        (("sigmoid_grad_formula",), lambda x: -_sig_grad(x)),
        (("sigmoid_grad_formula",), lambda x: 1 - _sig(x) ** 2),
        (("exp_sign",), lambda x: np.exp(np.clip(x, -700, 700)) * _sig(x) ** 2),  # e^x / (1 + e^−x)²
        (("missing_parentheses",), lambda x: np.zeros_like(x)),  # s*1 - s is (s·1) − s = 0
        (("missing_parentheses",), lambda x: _exp(-x) + _exp(-2 * x)),  # np.exp(-x)/1+np.exp(-x)**2
        *_with_approx_e(_sig_grad),
    ],
    "tanh": [
        (("tanh_via_sigmoid_x",), lambda x: np.tanh(x / 2)),  # 2σ(x) − 1
        (("exp_sign",), lambda x: -np.tanh(x)),
        (("tanh_via_sigmoid_x", "exp_sign"), lambda x: -np.tanh(x / 2)),
        (("tanh_missing_minus_one",), lambda x: 1 + np.tanh(x)),  # 2σ(2x) without the − 1
        (("tanh_missing_minus_one", "tanh_via_sigmoid_x"), lambda x: 1 + np.tanh(x / 2)),
        (("missing_parentheses",), lambda x: 1 + _exp(-2 * x)),  # 2/1+np.exp(-2x) - 1
        *_with_approx_e(np.tanh),
    ],
    "tanh_grad": [
        (("missing_square",), lambda x: 1 - np.tanh(x)),
        (("missing_square",), lambda x: 1 + np.tanh(x)),
        (("tanh_via_sigmoid_x",), lambda x: _tanh_grad(x / 2)),
        (("tanh_grad_slide_typo",), lambda x: 4 * _sig(x) ** 2),
        (("tanh_missing_minus_one",), lambda x: 1 - (1 + np.tanh(x)) ** 2),  # 1 − tanh² of its own 2σ(2x)
        (("missing_square",), lambda x: 1 - np.tanh(x**2)),  # tanh²(x) read as tanh(x²)
        (("missing_square",), lambda x: 1 - 2 * np.tanh(x)),  # `* 2` typed for `** 2`
        *_with_approx_e(_tanh_grad),
    ],
    "C2F": _c2f_grid(),
    "relu_grad": [
        (("relu_grad_sign",), lambda x: np.sign(x)),  # −1 below zero, 0 at zero
        (("relu_grad_sign",), lambda x: np.where(x > 0, 1.0, -1.0)),
    ],
    "activate": [
        (("c2f_no_clamp",), lambda z: z),
        (("c2f_clamp_zero",), lambda z: np.where(z < 0, 0, z)),
    ],
}


FLOAT_FUNCTIONS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu")

# Wrong results made from the right ones, for every function: the fraction cut off (int(...), astype(int),
# dtype=int) or rounded away (round(F, 1)). Rounding to whole numbers is left out where the right values
# are fractions (σ' ≤ 0.25): there it cannot be told from truncation or a result that is always 0.
TRANSFORMS: list[tuple[tuple[str, ...], int, Any]] = [  # (keys, digits rounded to, transform)
    (("int_truncation",), 0, np.trunc),
    (("int_truncation",), 0, np.floor),
    *((("rounded_result",), digits, lambda v, d=digits: np.round(v, d)) for digits in range(8)),
]
# Functions whose right results are fractions: there an integer result (int(...), astype(int)) can only be
# cut off or rounded, and a float result was not cut off by int (σ·1 − σ = 0.0 is a formula, not truncation).
FRACTIONAL_RESULTS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad")
INTEGER_RESULT_KEYS = {"int_truncation", "rounded_result"}


def _fits_dtype(name: str, keys: tuple[str, ...], got_dtype: np.dtype | None) -> bool:
    if got_dtype is None or name not in FRACTIONAL_RESULTS:
        return True
    if got_dtype.kind in "iu":
        return bool(INTEGER_RESULT_KEYS & set(keys))
    return "int_truncation" not in keys


def _matches(got: np.ndarray, candidate: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == candidate.shape and bool(
        np.all(np.isclose(got, candidate, rtol=rtol, atol=atol, equal_nan=True))
    )


def _explaining_candidates(
    name: str, x: np.ndarray, got: np.ndarray, expected: np.ndarray, got_dtype: np.dtype | None
) -> tuple[list[str], bool]:
    """Keys of the mistakes the numbers prove, and whether any candidate reproduced them at all.

    A candidate must reproduce every value of ``got``: a formula at a looser tolerance (another algebraic
    form of the same mistake), a cut-off or rounded reference exactly (a value merely close to it, such as
    float32 arithmetic or a lucky coincidence at one point, is not "rounded"). Among them only the simplest
    explanations count, and only the keys they all share: where two different mistakes give the same
    numbers (near C = 0 most C2F formulas give 32), the evidence does not discriminate and nothing is named.
    """
    formulas = [
        (keys, candidate(x), CANDIDATE_RTOL, CANDIDATE_ATOL) for keys, candidate in CANDIDATES.get(name, ())
    ]
    transforms = [
        (keys, transform(expected), EXACT_RTOL, EXACT_ATOL)
        for keys, digits, transform in TRANSFORMS
        if digits > 0 or "rounded_result" not in keys or name not in FRACTIONAL_RESULTS
    ]
    matched: list[tuple[str, ...]] = []
    for keys, values, rtol, atol in formulas + transforms:
        if not _fits_dtype(name, keys, got_dtype):
            continue
        values = np.asarray(values, dtype=float)
        if not _matches(expected, values, GRADING_RTOL, GRADING_ATOL) and _matches(got, values, rtol, atol):
            matched.append(keys)
    # An even function hides a sign error, a saturated input hides an approximate e, ...: drop an explanation
    # that only adds mistakes to another one that already explains the numbers.
    simplest = [set(k) for k in matched if not any(set(other) < set(k) for other in matched)]
    if not simplest:
        return [], False
    shared = set.intersection(*simplest)
    return list(dict.fromkeys(key for keys in matched for key in keys if key in shared)), True


def _step_hints(name: str, x: np.ndarray, got: np.ndarray, expected: np.ndarray) -> list[str]:
    hints: list[str] = []
    wrong = ~np.isclose(got, expected)
    # wrong at 0 (0, −1, 0.5 from np.heaviside(x, 0.5), ...) while right above 0: the step is not "≥ 0"
    if np.any(wrong & (x == 0)) and not np.any(wrong & (x > 0)):
        hints.append("step_strict_at_zero")
    if name == "bipolar_step" and np.any(wrong & (x < 0) & np.isclose(got, 0)):
        hints.append("bipolar_zero")
    return hints


def diagnose(
    name: str, x: Any, got: np.ndarray, expected: np.ndarray, got_dtype: np.dtype | None = None
) -> tuple[str, ...]:
    """Misconception keys explaining why the student's values ``got`` at ``x`` differ from ``expected``."""
    x = np.asarray(x, dtype=float)
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if x.shape != got.shape or expected.shape != got.shape:
        return ()
    with np.errstate(all="ignore"):
        close = np.isclose(got, expected, rtol=GRADING_RTOL, atol=GRADING_ATOL, equal_nan=True)
    if np.all(close):
        return ()
    hints: list[str] = []
    with np.errstate(all="ignore"):
        if name in ("step", "bipolar_step"):
            hints += _step_hints(name, x, got, expected)
        if name == "relu_grad":
            wrong = ~np.isclose(got, expected)
            if np.any(wrong) and np.all(x[wrong] == 0):  # right everywhere but at the kink
                hints.append("relu_grad_at_zero")
        low_dtype = got_dtype is not None and got_dtype in (np.dtype(np.float16), np.dtype(np.float32))
        candidates, explained = _explaining_candidates(name, x, got, expected, got_dtype)
        if low_dtype:  # float32 rounding looks like e written with many digits: the dtype says which it is
            candidates = [k for k in candidates if k != "approx_e"]
        hints += [k for k in candidates if k not in hints]
        if name in FLOAT_FUNCTIONS and (low_dtype or not (hints or explained)):
            if low_dtype or np.all(np.isclose(got, expected, rtol=5e-3, atol=1e-4, equal_nan=True)):
                hints.append("low_precision")
    return tuple(hints)
