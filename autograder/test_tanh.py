"""Hidden tests of tanh.py: tanh(x) = 2σ(2x) − 1 and tanh'(x) = 1 − tanh²(x) (10 points)."""

import numpy as np
import pytest

from activation_lab.checks import Tolerance

EXERCISE = "tanh"

FLOAT32 = Tolerance(rtol=1e-6, atol=1e-7)
SCALARS = [0, 2, -1, 0.5, -3.75, np.float64(1.25), np.int64(-3), np.float64(1e-9), np.float64(-1e-9)]
ARRAYS = [
    np.array(0.75),
    np.array(-2),
    np.array([2.0]),
    np.array([-3, 0, 2]),
    np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]]),
    np.array([], dtype=float),
    np.zeros((0, 2), dtype=int),
]
FINITE_DIFFERENCE = Tolerance(rtol=1e-5, atol=1e-7)


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="tanh(0) = 0 and tanh over the lecture's plot range", ko="tanh(0) = 0과 강의 그래프 구간의 tanh"
)
def test_tanh_lecture(check):
    check.matches_every("tanh", [0, np.arange(-5.0, 5.0, 0.1)])


@pytest.mark.points(1)
@pytest.mark.title(en="tanh on every kind of scalar", ko="모든 종류의 스칼라에서 tanh")
def test_tanh_scalar_kinds(check):
    check.matches_every("tanh", SCALARS)
    check.matches("tanh", np.float32(0.5), tol=FLOAT32)


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh keeps the shape of 0-d, 1-d, 2-d and empty arrays",
    ko="0차원·1차원·2차원·빈 배열의 모양을 유지하는 tanh",
)
def test_tanh_shapes(check):
    check.matches_every("tanh", ARRAYS)


@pytest.mark.points(1)
@pytest.mark.title(en="tanh on random inputs in [-100, 100]", ko="[-100, 100]의 무작위 입력에서 tanh")
def test_tanh_random(check, rng):
    inputs = [
        rng.uniform(-100, 100, size=80),
        rng.uniform(-1e-6, 1e-6, size=10),
        rng.integers(-100, 101, size=(5, 4)),
    ]
    check.matches_every("tanh", inputs)


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh is odd, lies in [-1, 1] and rises", ko="tanh는 홀함수이고 [-1, 1] 안에 있으며 증가"
)
def test_tanh_properties(check, rng):
    x = np.sort(rng.uniform(-20, 20, size=60))
    t, t_neg = (out.values for out in check.outputs("tanh", [x, -x]))
    call = "tanh(x), tanh(-x)"
    check.holds(t_neg, -t, prop="tanh(−x) = −tanh(x)", x=x, call=call)
    check.true_everywhere((t >= -1 - 1e-9) & (t <= 1 + 1e-9), prop="−1 ≤ tanh(x) ≤ 1", x=x, call=call)
    check.true_everywhere(
        np.append(np.diff(t) >= -1e-9, True), prop="x < y ⇒ tanh(x) ≤ tanh(y)", x=x, call=call
    )


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="tanh'(0) = 1 and tanh' over the lecture's plot range", ko="tanh'(0) = 1과 강의 그래프 구간의 tanh'"
)
def test_tanh_grad_lecture(check):
    check.matches_every("tanh_grad", [0, np.arange(-5.0, 5.0, 0.1)])


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh_grad on scalars and arrays of every shape", ko="스칼라와 여러 모양의 배열에서 tanh_grad"
)
def test_tanh_grad_shapes(check):
    check.matches_every("tanh_grad", SCALARS + ARRAYS)


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh_grad on random inputs in [-100, 100]", ko="[-100, 100]의 무작위 입력에서 tanh_grad"
)
def test_tanh_grad_random(check, rng):
    check.matches("tanh_grad", rng.uniform(-100, 100, size=80))


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh_grad agrees with finite differences of your tanh",
    ko="여러분 tanh의 수치 미분과 일치하는 tanh_grad",
)
def test_tanh_grad_finite_difference(check, rng):
    x = rng.uniform(-4, 4, size=40)
    h = 1e-5
    plus, minus = check.outputs("tanh", [x + h, x - h])
    numeric = (plus.values - minus.values) / (2 * h)
    grad = check.output("tanh_grad", x).values
    call = "tanh_grad(x), tanh(x ± h), h = 1e-5"
    check.holds(
        grad,
        numeric,
        prop="tanh'(x) ≈ (tanh(x + h) − tanh(x − h)) / 2h",
        x=x,
        call=call,
        tol=FINITE_DIFFERENCE,
    )


@pytest.mark.points(1)
@pytest.mark.title(
    en="tanh and tanh_grad leave their input unchanged", ko="입력 배열을 바꾸지 않는 tanh와 tanh_grad"
)
def test_tanh_input_unchanged(check):
    for name in ("tanh", "tanh_grad"):
        check.unchanged_every(name, [np.array([-3.0, 0.0, 2.5]), np.array([[-1, 4], [0, -2]])])


@pytest.mark.advice
@pytest.mark.title(en="extreme inputs |x| ≥ 700 (advice only)", ko="극단적인 입력 |x| ≥ 700 (조언만)")
def test_tanh_extreme(check):
    x = np.array([-1000.0, -800.0, -710.0, 710.0, 800.0, 1000.0])
    check.matches("tanh", x)
    check.matches("tanh_grad", x)
