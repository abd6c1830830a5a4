"""Public checks of sigmoid.py: σ(0) = 1/2, arrays keep their shape, σ'(0) = 0.25. 시그모이드 공개 점검."""

import numpy as np
import pytest
from selfcheck_feedback import check, check_unchanged

SIGMOID_1 = 0.7310585786300049  # 1 / (1 + e^-1)
SIGMOID_KNOWN_AT_1 = [
    ("exp_sign", 0.2689414213699951),  # 1 / (1 + e^1)
    ("approx_e", 0.7310381925766541),  # e written as 2.718
    ("approx_e", 0.7310526598891937),  # e written as 2.7182
    ("missing_parentheses", 1.3678794411714423),  # 1/1+np.exp(-x) = 1 + e^-1
    ("floor_division", 0.0),  # 1 // (1 + e^-1)
]

SIGMOID_CASES = [
    pytest.param(0, 0.5, {"missing_parentheses": 2.0, "floor_division": 0.0}, id="sigmoid(0) = 0.5"),
    pytest.param(0.0, 0.5, {}, id="sigmoid(0.0) = 0.5"),
    pytest.param(1.0, SIGMOID_1, SIGMOID_KNOWN_AT_1, id="sigmoid(1.0)"),
    pytest.param(
        np.float64(-1.0), 0.2689414213699951, {"exp_sign": SIGMOID_1}, id="sigmoid(np.float64(-1.0))"
    ),
    pytest.param(
        np.array([-2.0, 0.0, 2.0]),
        [0.11920292202211755, 0.5, 0.8807970779778823],
        {"exp_sign": [0.8807970779778823, 0.5, 0.11920292202211755]},
        id="sigmoid of a 1-d array",
    ),
    pytest.param(
        np.array([-1, 0, 1]), [0.2689414213699951, 0.5, SIGMOID_1], {}, id="sigmoid of an int array"
    ),
    pytest.param(
        np.array([[0.0, 1.0], [-1.0, 0.0]]),
        [[0.5, SIGMOID_1], [0.2689414213699951, 0.5]],
        {},
        id="sigmoid of a 2-d array keeps its shape",
    ),
    pytest.param(
        np.array([5.0]), [0.9933071490757153], {}, id="sigmoid(np.array([5.0])) is a 1-element array"
    ),
    pytest.param(np.array([], dtype=float), [], {}, id="sigmoid of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), SIGMOID_CASES)
def test_sigmoid_matches_the_formula(x, expected, known):
    check("sigmoid", "sigmoid", x, expected, known=known)


GRAD_CASES = [
    pytest.param(
        0,
        0.25,
        {"sigmoid_grad_formula": 0.75, "missing_square": 0.5, "missing_parentheses": 0.0},
        id="sigmoid_grad(0) = 0.25 (the maximum)",
    ),
    pytest.param(
        1.0,
        0.19661193324148185,
        [
            ("missing_square", 0.2689414213699951),
            ("sigmoid_grad_formula", 1.2655052240185278),
            ("sigmoid_grad_formula", 0.534446645388523),
            ("missing_parentheses", 0.0),  # sigmoid(x)*1 - sigmoid(x)
            ("sigmoid_grad_sign", -0.19661193324148185),  # s * (s - 1)
            ("chain_rule_factor", -0.534446645388523),  # -1 / (1 + e^-x)**2
        ],
        id="sigmoid_grad(1.0)",
    ),
    pytest.param(
        np.array([-2.0, 0.0, 2.0]),
        [0.1049935854035065, 0.25, 0.10499358540350662],
        {},
        id="sigmoid_grad of a 1-d array",
    ),
    pytest.param(
        np.array([3.0]), [0.045176659730912], {}, id="sigmoid_grad(np.array([3.0])) is a 1-element array"
    ),
    pytest.param(np.array([], dtype=float), [], {}, id="sigmoid_grad of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), GRAD_CASES)
def test_sigmoid_grad_is_sigma_times_one_minus_sigma(x, expected, known):
    check("sigmoid", "sigmoid_grad", x, expected, known=known)


@pytest.mark.parametrize("function", ["sigmoid", "sigmoid_grad"])
def test_sigmoid_does_not_modify_its_input(function):
    check_unchanged("sigmoid", function, np.array([-3, 0, 4]))
