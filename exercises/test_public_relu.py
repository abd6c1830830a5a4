"""Public checks of relu.py: np.maximum(0, x) element-wise, relu_grad(0) = 0, numbers not bool. 렐루 공개 점검."""

import numpy as np
import pytest
from selfcheck_feedback import check, check_unchanged

RELU_CASES = [
    pytest.param(3, 3, {}, id="relu(3) = 3"),
    pytest.param(-2, 0, {}, id="relu(-2) = 0"),
    pytest.param(0, 0, {}, id="relu(0) = 0"),
    pytest.param(2.5, 2.5, {}, id="relu(2.5) = 2.5"),
    pytest.param(np.array([-1.0, 0.0, 2.5]), [0.0, 0.0, 2.5], {}, id="relu(np.array([-1.0, 0.0, 2.5]))"),
    pytest.param(
        np.array([[-3, 4], [5, -6]]), [[0, 4], [5, 0]], {}, id="relu of a 2-d int array keeps its shape"
    ),
    pytest.param(np.array([-5]), [0], {}, id="relu(np.array([-5])) is a 1-element array"),
    pytest.param(np.array([], dtype=float), [], {}, id="relu of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), RELU_CASES)
def test_relu_is_elementwise_maximum_with_zero(x, expected, known):
    check("relu", "relu", x, expected, known=known)


RELU_GRAD_CASES = [
    pytest.param(2.5, 1, {}, id="relu_grad(2.5) = 1"),
    pytest.param(-2, 0, {"relu_grad_sign": -1}, id="relu_grad(-2) = 0"),
    pytest.param(
        0,
        0,
        [("relu_grad_at_zero", 1), ("relu_grad_at_zero", 0.5), ("relu_grad_division", float("nan"))],
        id="relu_grad(0) = 0 (the course's convention)",
    ),
    pytest.param(
        np.array([-1, 0, 2]),
        [0, 0, 1],
        [
            ("relu_grad_at_zero", [0, 1, 1]),
            ("relu_grad_at_zero", [0, 0.5, 1]),
            ("relu_grad_sign", [-1, 0, 1]),
            ("relu_grad_division", [0, float("nan"), 1]),  # relu(x) / x
        ],
        id="relu_grad(np.array([-1, 0, 2])) = [0 0 1]",
    ),
    pytest.param(np.array([[0.5], [-0.5]]), [[1], [0]], {}, id="relu_grad of a 2-d array keeps its shape"),
    pytest.param(np.array([], dtype=float), [], {}, id="relu_grad of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), RELU_GRAD_CASES)
def test_relu_grad_is_one_above_zero(x, expected, known):
    check("relu", "relu_grad", x, expected, known=known)


@pytest.mark.parametrize("function", ["relu", "relu_grad"])
def test_relu_does_not_modify_its_input(function):
    check_unchanged("relu", function, np.array([-2.0, 0.0, 3.0]))
