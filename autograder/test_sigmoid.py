"""Hidden tests of sigmoid.py: σ(x) = 1 / (1 + e^(−x)) and σ'(x) = σ(x)(1 − σ(x)) (10 points)."""

import numpy as np
import pytest

from activation_lab.checks import Tolerance

EXERCISE = "sigmoid"

# NumPy computes a float32 input in float32 (so does the lecture code): allow float32 rounding there.
FLOAT32 = Tolerance(rtol=1e-6, atol=1e-7)
SCALARS = [0, 3, -2, 0.5, -7.25, np.float64(1.5), np.int64(-4), np.float64(1e-9), np.float64(-1e-9)]
ARRAYS = [
    np.array(0.75),
    np.array(-3),
    np.array([2.0]),
    np.array([-3, 0, 2]),
    np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
    np.zeros((0, 2), dtype=int),
]
FINITE_DIFFERENCE = Tolerance(rtol=1e-5, atol=1e-7)


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="σ(0) = 1/2 as on the slide", ko="슬라이드처럼 σ(0) = 1/2")
def test_sigmoid_at_zero(check):
    check.matches_every("sigmoid", [0, 0.0])


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="sigmoid over the lecture's plot range", ko="강의 그래프 구간에서 sigmoid")
def test_sigmoid_lecture_range(check):
    check.matches("sigmoid", np.arange(-10.0, 10.0, 0.1))


@pytest.mark.points(1)
@pytest.mark.title(en="sigmoid on every kind of scalar", ko="모든 종류의 스칼라에서 sigmoid")
def test_sigmoid_scalar_kinds(check):
    check.matches_every("sigmoid", SCALARS)
    check.matches("sigmoid", np.float32(1.5), tol=FLOAT32)


@pytest.mark.points(1)
@pytest.mark.title(
    en="sigmoid keeps the shape of 0-d, 1-d, 2-d and empty arrays",
    ko="0차원·1차원·2차원·빈 배열의 모양을 유지하는 sigmoid",
)
def test_sigmoid_shapes(check):
    check.matches_every("sigmoid", ARRAYS)


@pytest.mark.points(1)
@pytest.mark.title(en="sigmoid on random inputs in [-100, 100]", ko="[-100, 100]의 무작위 입력에서 sigmoid")
def test_sigmoid_random(check, rng):
    check.matches_every("sigmoid", [rng.uniform(-100, 100, size=80), rng.integers(-100, 101, size=(5, 4))])


@pytest.mark.points(1)
@pytest.mark.title(
    en="sigmoid lies in [0, 1], rises, and σ(−x) = 1 − σ(x)",
    ko="sigmoid는 [0, 1] 안에 있고 증가하며 σ(−x) = 1 − σ(x)",
)
def test_sigmoid_properties(check, rng):
    x = np.sort(rng.uniform(-30, 30, size=60))
    s, s_neg = (out.values for out in check.outputs("sigmoid", [x, -x]))
    call = "sigmoid(x), sigmoid(-x)"
    check.true_everywhere((s >= -1e-9) & (s <= 1 + 1e-9), prop="0 ≤ σ(x) ≤ 1", x=x, call=call)
    check.true_everywhere(np.append(np.diff(s) >= -1e-9, True), prop="x < y ⇒ σ(x) ≤ σ(y)", x=x, call=call)
    check.holds(s_neg, 1 - s, prop="σ(−x) = 1 − σ(x)", x=x, call=call)


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="σ'(0) = 0.25, the maximum of the derivative", ko="도함수의 최댓값 σ'(0) = 0.25")
def test_sigmoid_grad_at_zero(check):
    check.matches_every("sigmoid_grad", [0, np.array([-2.0, 0.0, 2.0])])


@pytest.mark.points(1)
@pytest.mark.title(
    en="sigmoid_grad on scalars and arrays of every shape", ko="스칼라와 여러 모양의 배열에서 sigmoid_grad"
)
def test_sigmoid_grad_shapes(check):
    check.matches_every("sigmoid_grad", SCALARS + ARRAYS)


@pytest.mark.points(1)
@pytest.mark.title(
    en="sigmoid_grad on random inputs and against finite differences of your sigmoid",
    ko="무작위 입력과 여러분 sigmoid의 수치 미분으로 확인한 sigmoid_grad",
)
def test_sigmoid_grad_random(check, rng):
    check.matches("sigmoid_grad", rng.uniform(-100, 100, size=80))
    x = rng.uniform(-8, 8, size=40)
    h = 1e-5
    plus, minus = check.outputs("sigmoid", [x + h, x - h])
    numeric = (plus.values - minus.values) / (2 * h)
    grad = check.output("sigmoid_grad", x).values
    call = "sigmoid_grad(x), sigmoid(x ± h), h = 1e-5"
    check.holds(
        grad, numeric, prop="σ'(x) ≈ (σ(x + h) − σ(x − h)) / 2h", x=x, call=call, tol=FINITE_DIFFERENCE
    )


@pytest.mark.points(1)
@pytest.mark.title(
    en="sigmoid and sigmoid_grad leave their input unchanged",
    ko="입력 배열을 바꾸지 않는 sigmoid와 sigmoid_grad",
)
def test_sigmoid_input_unchanged(check):
    for name in ("sigmoid", "sigmoid_grad"):
        check.unchanged_every(name, [np.array([-3.0, 0.0, 2.5]), np.array([[-1, 4], [0, -2]])])


@pytest.mark.advice
@pytest.mark.title(en="extreme inputs |x| ≥ 700 (advice only)", ko="극단적인 입력 |x| ≥ 700 (조언만)")
def test_sigmoid_extreme(check):
    x = np.array([-1000.0, -800.0, -710.0, 710.0, 800.0, 1000.0])
    check.matches("sigmoid", x)
    check.matches("sigmoid_grad", x)
