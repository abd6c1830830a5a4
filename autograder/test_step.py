"""Hidden tests of step.py: the unipolar and bipolar step functions (10 points).

The formula is the specification: h(z) = 1 if z >= 0, so step(0) == 1 and bipolar_step(0) == 1, even
though the slides' own code uses ``x > 0``. The value at 0 is graded by its own tests; the other tests
avoid 0, so that one misunderstanding costs its own points and not every test's.
"""

import numpy as np
import pytest

EXERCISE = "step"

# every kind of scalar, away from 0 (the tests at zero check 0 itself)
SCALARS = [3, -2, 2.5, -0.5, np.float64(1e-9), np.float64(-1e-9), np.int64(-4), np.int64(7), np.float32(1.5)]


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="step(3) from the lecture", ko="강의의 예 step(3)")
def test_step_lecture_scalar(check):
    check.matches("step", 3)


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="step works on arrays", ko="배열에서도 동작하는 step")
def test_step_lecture_array(check):
    check.matches("step", np.array([-1, 2, 3]))


@pytest.mark.points(2)
@pytest.mark.public
@pytest.mark.title(en="step(0) is 1 (the formula says z ≥ 0)", ko="step(0)은 1 (수식은 z ≥ 0)")
def test_step_at_zero(check):
    check.matches_every("step", [0, 0.0, np.array([-2.0, 0.0, 2.0]), np.zeros((2, 2), dtype=int)])


@pytest.mark.points(1)
@pytest.mark.title(en="step on every kind of scalar", ko="모든 종류의 스칼라에서 step")
def test_step_scalar_kinds(check):
    check.matches_every("step", SCALARS)


@pytest.mark.points(1)
@pytest.mark.title(
    en="step keeps the shape of 0-d, 1-element, 2-d and empty arrays",
    ko="0차원·원소 1개·2차원·빈 배열에서 모양을 유지하는 step",
)
def test_step_shapes(check):
    arrays = [
        np.array([5]),
        np.array(-0.5),
        np.array([[-1.5, 0.5, 2.0], [3.0, -4.0, 1e-9]]),
        np.array([], dtype=float),
        np.zeros((0, 3), dtype=int),
    ]
    check.matches_every("step", arrays)


@pytest.mark.points(1)
@pytest.mark.title(en="step on random inputs", ko="무작위 입력에서 step")
def test_step_random(check, rng):
    uniform = rng.uniform(-100, 100, size=60)
    nonzero = rng.integers(1, 6, size=(4, 5)) * rng.choice([-1, 1], size=(4, 5))
    check.matches_every("step", [uniform, nonzero])


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="bipolar_step gives -1 below zero and 1 from zero on", ko="bipolar_step은 0 미만에서 -1, 0 이상에서 1"
)
def test_bipolar_lecture(check):
    check.matches("bipolar_step", np.array([-2, -1, 0, 1, 2]))


@pytest.mark.points(1)
@pytest.mark.title(
    en="bipolar_step on every kind of scalar and arrays of every shape",
    ko="모든 종류의 스칼라와 여러 모양의 배열에서 bipolar_step",
)
def test_bipolar_kinds_and_shapes(check, rng):
    arrays = [np.array([7]), np.array(-3), np.array([], dtype=int), rng.uniform(-100, 100, size=(6, 5))]
    check.matches_every("bipolar_step", SCALARS + arrays)


@pytest.mark.points(1)
@pytest.mark.title(
    en="step and bipolar_step leave their input unchanged", ko="입력 배열을 바꾸지 않는 step과 bipolar_step"
)
def test_step_input_unchanged(check):
    for name in ("step", "bipolar_step"):
        check.unchanged_every(name, [np.array([-3.0, 0.0, 2.5]), np.array([[-1, 4], [0, -2]])])
