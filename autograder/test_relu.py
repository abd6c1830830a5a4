"""Hidden tests of relu.py: ReLU(x) = max(0, x) element-wise and ReLU'(x) = 1 if x > 0 else 0 (10 points)."""

import numpy as np
import pytest

from activation_lab.checks import Tolerance

EXERCISE = "relu"

SLOPE = Tolerance(rtol=1e-6, atol=1e-6)

SCALARS = [
    3,
    -2,
    0,
    2.5,
    -0.5,
    0.0,
    np.float64(1e-9),
    np.float64(-1e-9),
    np.int64(-4),
    np.int64(7),
    np.float32(1.5),
]
# relu_grad at 0 is graded by its own test; elsewhere its inputs avoid 0
SCALARS_AWAY_FROM_ZERO = [
    3,
    -2,
    2.5,
    -0.5,
    np.float64(1e-9),
    np.float64(-1e-9),
    np.int64(-4),
    np.float32(1.5),
]
ARRAYS_AWAY_FROM_ZERO = [
    np.array(0.75),
    np.array(-2),
    np.array([5]),
    np.array([-3, 1, 2]),
    np.array([[-1.5, 0.25, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
    np.zeros((0, 2), dtype=int),
]
ARRAYS = [
    np.array(0.75),
    np.array(-2),
    np.array([5]),
    np.array([-3, 0, 2]),
    np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
    np.zeros((0, 2), dtype=int),
]


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="relu keeps positives and zeroes negatives", ko="양수는 그대로, 음수는 0으로 만드는 relu"
)
def test_relu_example(check):
    check.matches("relu", np.array([-2.0, -0.5, 0.0, 1.5, 3.0]))


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="relu of single numbers", ko="숫자 하나에 대한 relu")
def test_relu_scalar_examples(check):
    check.matches_every("relu", [-1, 0, 2.5])


@pytest.mark.points(1)
@pytest.mark.title(en="relu on every kind of scalar", ko="모든 종류의 스칼라에서 relu")
def test_relu_scalar_kinds(check):
    check.matches_every("relu", SCALARS)


@pytest.mark.points(1)
@pytest.mark.title(
    en="relu keeps the shape of 0-d, 1-d, 2-d and empty arrays",
    ko="0차원·1차원·2차원·빈 배열의 모양을 유지하는 relu",
)
def test_relu_shapes(check):
    check.matches_every("relu", ARRAYS)


@pytest.mark.points(1)
@pytest.mark.title(en="relu on random inputs in [-100, 100]", ko="[-100, 100]의 무작위 입력에서 relu")
def test_relu_random(check, rng):
    check.matches_every("relu", [rng.uniform(-100, 100, size=80), rng.integers(-100, 101, size=(5, 4))])


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="relu_grad is 0 below zero and 1 above", ko="0보다 작으면 0, 0보다 크면 1인 relu_grad")
def test_relu_grad_example(check):
    check.matches("relu_grad", np.array([-2.0, -0.5, 1.5, 3.0]))


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="relu_grad(0) = 0 (the contract's choice at the kink)", ko="꺾이는 점에서 relu_grad(0) = 0 (과제 명세)"
)
def test_relu_grad_at_zero(check):
    check.matches_every("relu_grad", [0, 0.0, np.array([-1.0, 0.0, 1.0])])


@pytest.mark.points(1)
@pytest.mark.title(
    en="relu_grad on every kind of scalar, random inputs and arrays of every shape",
    ko="모든 종류의 스칼라, 무작위 입력, 여러 모양의 배열에서 relu_grad",
)
def test_relu_grad_kinds_and_shapes(check, rng):
    random = rng.uniform(-100, 100, size=(8, 10))
    check.matches_every("relu_grad", [*SCALARS_AWAY_FROM_ZERO, *ARRAYS_AWAY_FROM_ZERO, random])


@pytest.mark.points(1)
@pytest.mark.title(
    en="relu_grad agrees with the slope of your relu away from 0",
    ko="0이 아닌 곳에서 여러분 relu의 기울기와 일치하는 relu_grad",
)
def test_relu_grad_slope(check, rng):
    x = rng.uniform(0.01, 50, size=30) * rng.choice([-1.0, 1.0], size=30)
    h = 1e-3
    plus, minus = check.outputs("relu", [x + h, x - h])
    slope = (plus.values - minus.values) / (2 * h)
    grad = check.output("relu_grad", x).values
    call = "relu_grad(x), relu(x ± h), h = 1e-3"
    check.holds(grad, slope, prop="ReLU'(x) ≈ (ReLU(x + h) − ReLU(x − h)) / 2h", x=x, call=call, tol=SLOPE)


@pytest.mark.points(1)
@pytest.mark.title(
    en="relu and relu_grad leave their input unchanged", ko="입력 배열을 바꾸지 않는 relu와 relu_grad"
)
def test_relu_input_unchanged(check):
    for name in ("relu", "relu_grad"):
        check.unchanged_every(name, [np.array([-3.0, 0.0, 2.5]), np.array([[-1, 4], [0, -2]])])
