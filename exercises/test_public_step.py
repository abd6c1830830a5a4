"""Public checks of step.py: the lecture's examples, step(0) = 1, arrays of numbers (not bool). 계단 함수 공개 점검."""

import numpy as np
import pytest
from selfcheck_feedback import check, check_unchanged

STEP_CASES = [
    pytest.param(3, 1, {}, id="step(3) = 1 (the slide)"),
    pytest.param(-3, 0, {}, id="step(-3) = 0"),
    pytest.param(
        0, 1, [("step_strict_at_zero", 0), ("step_strict_at_zero", 0.5)], id="step(0) = 1 (formula: z >= 0)"
    ),
    pytest.param(0.0, 1, {"step_strict_at_zero": 0}, id="step(0.0) = 1"),
    pytest.param(np.float64(-0.5), 0, {}, id="step(np.float64(-0.5)) = 0"),
    pytest.param(np.array([-1, 2, 3]), [0, 1, 1], {}, id="step(np.array([-1, 2, 3])) = [0 1 1] (the slide)"),
    pytest.param(
        np.array([-1, 0, 3]),
        [0, 1, 1],
        {"step_strict_at_zero": [0, 0, 1]},
        id="step(np.array([-1, 0, 3])) = [0 1 1]",
    ),
    pytest.param(np.array([5]), [1], {}, id="step(np.array([5])) is a 1-element array, not a bare 1"),
    pytest.param(
        np.array([[-1.5, 0.0], [2.0, -0.1]]),
        [[0, 1], [1, 0]],
        {"step_strict_at_zero": [[0, 0], [1, 0]]},
        id="step of a 2-d float array keeps its shape",
    ),
    pytest.param(np.array([], dtype=float), [], {}, id="step of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), STEP_CASES)
def test_step_matches_the_formula(x, expected, known):
    check("step", "step", x, expected, known=known)


BIPOLAR_CASES = [
    pytest.param(3, 1, {}, id="bipolar_step(3) = 1"),
    pytest.param(-2, -1, {"bipolar_zero": 0}, id="bipolar_step(-2) = -1"),
    pytest.param(
        0,
        1,
        [("step_strict_at_zero", -1), ("step_strict_at_zero", 0)],
        id="bipolar_step(0) = 1 (formula: z >= 0)",
    ),
    pytest.param(
        np.array([-1, 0, 3]),
        [-1, 1, 1],
        [
            ("step_strict_at_zero", [-1, -1, 1]),
            ("step_strict_at_zero", [-1, 0, 1]),
            ("bipolar_zero", [0, 1, 1]),
        ],
        id="bipolar_step(np.array([-1, 0, 3])) = [-1 1 1]",
    ),
    pytest.param(
        np.array([-7]), [-1], {"bipolar_zero": [0]}, id="bipolar_step(np.array([-7])) is a 1-element array"
    ),
]


@pytest.mark.parametrize(("x", "expected", "known"), BIPOLAR_CASES)
def test_bipolar_step_matches_the_formula(x, expected, known):
    check("step", "bipolar_step", x, expected, known=known)


@pytest.mark.parametrize("function", ["step", "bipolar_step"])
def test_step_does_not_modify_its_input(function):
    check_unchanged("step", function, np.array([-2.0, 0.0, 1.5]))
