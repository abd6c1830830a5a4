"""Hidden tests of c2f.py: the temperature converter as a neuron, activate(z) and C2F(C) (10 points).

C2F works on scalars only (int, float, NumPy scalar). The lecture's own code earns full marks.
"""

import numpy as np
import pytest

EXERCISE = "c2f"

LECTURE_TABLE = [-20, -10, 0, 36.5, 40, 50, 100]  # the slide prints [32, 32, 32.0, 97.7, 104.0, 122.0, 212.0]


@pytest.mark.points(3)
@pytest.mark.public
@pytest.mark.title(en="C2F reproduces the lecture's table", ko="강의의 변환표를 재현하는 C2F")
def test_c2f_lecture_table(check):
    check.matches_each("C2F", LECTURE_TABLE)


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(
    en="activate clamps below 32 and passes the rest", ko="32 미만은 32로, 나머지는 그대로 주는 activate"
)
def test_activate_examples(check):
    check.matches_each("activate", [-100, 0, 31, 40, 212.0])


@pytest.mark.points(1)
@pytest.mark.title(en="activate at and around its threshold 32", ko="경계값 32 부근의 activate")
def test_activate_threshold(check):
    check.matches_each("activate", [32, 32.0, 31.999999, 32.000001, -32, np.float64(33.5), np.int64(10)])


@pytest.mark.points(1)
@pytest.mark.title(
    en="C2F at the clamp point C = 0 and just around it", ko="값을 자르는 지점 C = 0과 그 부근의 C2F"
)
def test_c2f_boundary(check):
    check.matches_each("C2F", [0, 0.0, 1e-9, -1e-9, -0.5, 0.5])


@pytest.mark.points(1)
@pytest.mark.title(en="C2F on every kind of scalar", ko="모든 종류의 스칼라에서 C2F")
def test_c2f_scalar_kinds(check):
    check.matches_each("C2F", [37, -40, 36.6, np.float64(25.0), np.int64(-5), np.int64(100)])


@pytest.mark.points(2)
@pytest.mark.title(en="C2F on random temperatures", ko="무작위 온도에서 C2F")
def test_c2f_random(check, rng):
    temperatures = [float(c) for c in rng.uniform(-100, 100, size=25)]
    check.matches_each("C2F", temperatures)


@pytest.mark.points(1)
@pytest.mark.title(
    en="C2F never goes below 32 and never decreases", ko="32 아래로 내려가지 않고 감소하지 않는 C2F"
)
def test_c2f_properties(check):
    temperatures = [float(c) for c in np.linspace(-60, 60, 49)]
    values = np.array([out.values for out in check.outputs("C2F", temperatures)])
    call = "C2F(C) for C in np.linspace(-60, 60, 49)"
    check.true_everywhere(values >= 32 - 1e-9, prop="C2F(C) ≥ 32", x=np.array(temperatures), call=call)
    rising = np.append(np.diff(values) >= -1e-9, True)
    check.true_everywhere(rising, prop="C2F(C) ≤ C2F(C + 2.5)", x=np.array(temperatures), call=call)
