"""Wrong formulas the students of this course write, per function: the number-based misconception hints.

Course content, declared in ``manifest.toml`` (``misconceptions = "autograder/misconceptions.py"``) and read
by the grader only (never copied into the sandbox). A new exercise adds its entries here, no engine code:

- ``CANDIDATES``: function name -> ``[(hint keys, wrong formula), ...]``. When a student's wrong values are
  reproduced by a formula (and not by the reference), the hints it names are shown. Hint keys are
  ``[hint.*]`` texts of ``activation_lab/messages/feedback.toml``.
- ``PATTERNS``: function name -> ``f(x, got, expected) -> [hint keys]`` for mistakes that are not formulas
  (a step wrong only at 0).
- ``FLOAT_FUNCTIONS``: functions whose results are real numbers (a near miss there is ``low_precision``);
  ``FRACTIONAL_RESULTS``: functions whose right results are fractions (an integer result is truncation).
- ``FIXES``: function name -> the code the hints suggest for it (``{fix}``, ``{fix_numbers}``,
  ``{fix_dtype}``).
- ``EXTREME``: from this |x| on, e^x overflows float64: such inputs earn advice, never a deduction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

EXTREME = 700.0

APPROX_E = (2.7, 2.71, 2.718, 2.7182, 2.71828, 2.72)


def _sig(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sig_grad(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def _exp(x: np.ndarray) -> np.ndarray:
    return np.exp(np.clip(x, -EXTREME, EXTREME))


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
        (("sigmoid_grad_formula",), lambda x: 1 - _sig(x) ** 2),
        (("exp_sign",), lambda x: _exp(x) * _sig(x) ** 2),  # e^x / (1 + e^−x)²
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

# Added for issue 12 (feedback that is never wrong): each names a mistake the corpus shows.
NEW_CANDIDATES: dict[str, list[tuple[tuple[str, ...], Any]]] = {
    "sigmoid": [
        # 1 // (1 + e^−x): floor division of 1 by a number > 1 is always 0
        (("floor_division",), lambda x: np.floor(1 / (1 + _exp(-x)))),
    ],
    "sigmoid_grad": [
        (("sigmoid_grad_sign",), lambda x: -_sig_grad(x)),  # s * (s - 1)
        # d/dx (1 + e^−x)^−1 without the inner derivative −e^−x: −1 / (1 + e^−x)²
        (("chain_rule_factor",), lambda x: -(_sig(x) ** 2)),
    ],
    "tanh_grad": [
        (("square_misplaced",), lambda x: 1 - np.tanh(x**2)),  # tanh²(x) read as tanh(x²)
        # d/dx 2σ(2x) − 1 = 4σ'(2x); without the inner factor 2 it is 2σ'(2x) = (1 − tanh²x) / 2
        (("chain_rule_factor",), lambda x: _tanh_grad(x) / 2),
    ],
    "relu_grad": [
        # relu(x) / x: 1 above 0, 0 below, 0/0 = nan at 0
        (("relu_grad_division",), lambda x: np.where(x == 0, np.nan, (x > 0) * 1.0)),
    ],
}
for _name, _extra in NEW_CANDIDATES.items():
    CANDIDATES.setdefault(_name, []).extend(_extra)

# The code a hint suggests for each function ({fix}, {fix_numbers}, {fix_dtype} in the [hint.*] texts).
# Every snippet must be right for the function it is shown for: tests/test_hint_snippets.py grades a module
# made of them with the hidden suites and requires full marks.
FIXES: dict[str, dict[str, str]] = {
    "step": {
        "fix": "np.where(x >= 0, 1, 0)",
        "fix_numbers": "(x >= 0) * 1",
        "fix_dtype": "np.array(x >= 0, dtype=int)",
    },
    "bipolar_step": {
        "fix": "np.where(x >= 0, 1, -1)",
        "fix_numbers": "np.where(x >= 0, 1, -1)",
        "fix_dtype": "np.where(x >= 0, 1, -1).astype(int)",
    },
    "relu": {
        "fix": "np.maximum(0, x)",
        "fix_numbers": "np.maximum(0, x)",
        "fix_dtype": "np.maximum(0, np.asarray(x, dtype=float))",
    },
    "relu_grad": {
        "fix": "np.where(x > 0, 1, 0)",
        "fix_numbers": "(x > 0) * 1",
        "fix_dtype": "np.array(x > 0, dtype=int)",
    },
    "sigmoid": {"fix": "1 / (1 + np.exp(-x))", "fix_dtype": "1 / (1 + np.exp(-np.asarray(x, dtype=float)))"},
    "sigmoid_grad": {"fix": "sigmoid(x) * (1 - sigmoid(x))"},
    "tanh": {"fix": "np.tanh(x)", "fix_dtype": "np.tanh(np.asarray(x, dtype=float))"},
    "tanh_grad": {"fix": "1 - np.tanh(x) ** 2", "fix_dtype": "1 - np.tanh(np.asarray(x, dtype=float)) ** 2"},
    "activate": {"fix": "np.maximum(z, 32)"},
    "C2F": {"fix": "activate(9 / 5 * C + 32)"},
}


FLOAT_FUNCTIONS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu")
FRACTIONAL_RESULTS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad")


def _step_patterns(name: str) -> Callable[[np.ndarray, np.ndarray, np.ndarray], list[str]]:
    def patterns(x: np.ndarray, got: np.ndarray, expected: np.ndarray) -> list[str]:
        hints: list[str] = []
        wrong = ~np.isclose(got, expected)
        # wrong at 0 (0, −1, 0.5 from np.heaviside(x, 0.5), ...) while right above 0: the step is not "≥ 0"
        if np.any(wrong & (x == 0)) and not np.any(wrong & (x > 0)):
            hints.append("step_strict_at_zero")
        if name == "bipolar_step" and np.any(wrong & (x < 0) & np.isclose(got, 0)):
            hints.append("bipolar_zero")
        return hints

    return patterns


def _relu_grad_patterns(x: np.ndarray, got: np.ndarray, expected: np.ndarray) -> list[str]:
    wrong = ~np.isclose(got, expected)
    # wrong only at the kink; a nan there is 0/0 (relu(x) / x), not a choice of value
    at_kink = np.any(wrong) and np.all(x[wrong] == 0) and not np.any(np.isnan(got[wrong]))
    return ["relu_grad_at_zero"] if at_kink else []


PATTERNS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], list[str]]] = {
    "step": _step_patterns("step"),
    "bipolar_step": _step_patterns("bipolar_step"),
    "relu_grad": _relu_grad_patterns,
}
