"""Public checks of tanh.py: tanh(0) = 0, 2σ(2x) − 1, tanh' = 1 − tanh². 쌍곡탄젠트 공개 점검."""

import numpy as np
import pytest
from selfcheck_feedback import check, check_unchanged

TANH_1 = 0.7615941559557649

TANH_CASES = [
    pytest.param(0, 0.0, {"tanh_missing_minus_one": 1.0}, id="tanh(0) = 0"),
    pytest.param(
        1.0,
        TANH_1,
        {
            "tanh_via_sigmoid_x": 0.4621171572600098,
            "approx_e": 0.7615506077836558,
            "exp_sign": -TANH_1,
            "tanh_missing_minus_one": 1 + TANH_1,
        },
        id="tanh(1.0)",
    ),
    pytest.param(
        np.array([-2.0, 0.0, 2.0]),
        [-0.9640275800758169, 0.0, 0.9640275800758169],
        {"tanh_via_sigmoid_x": [-0.7615941559557649, 0.0, 0.7615941559557649]},
        id="tanh of a 1-d array",
    ),
    pytest.param(np.array([[1, -1]]), [[TANH_1, -TANH_1]], {}, id="tanh of a 2-d int array keeps its shape"),
    pytest.param(np.array([0.5]), [0.46211715726000974], {}, id="tanh(np.array([0.5])) is a 1-element array"),
    pytest.param(np.array([], dtype=float), [], {}, id="tanh of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), TANH_CASES)
def test_tanh_matches_the_formula(x, expected, known):
    check("tanh", "tanh", x, expected, known=known)


TANH_GRAD_CASES = [
    pytest.param(0, 1.0, {}, id="tanh_grad(0) = 1"),
    pytest.param(
        1.0,
        0.41997434161402614,
        [
            # 1 - tanh(1) is also 1 - tanh(1**2): at 1.0 a missing and a misplaced square look alike
            ("missing_square", -0.5231883119115297),
            ("chain_rule_factor", 0.20998717080701307),  # 2 * sigmoid_grad(2x): the inner factor 2 lost
            ("tanh_grad_slide_typo", 2.1377865815540926),
        ],
        id="tanh_grad(1.0)",
    ),
    pytest.param(
        np.array([-2.0, 0.0, 2.0]),
        [0.07065082485316443, 1.0, 0.07065082485316443],
        [
            ("missing_square", [1.9640275800758169, 1.0, 0.03597241992418312]),
            ("missing_square", [2.928055160151634, 1.0, -0.9280551601516338]),
            ("tanh_grad_slide_typo", [0.05683734647444405, 1.0, 3.1032139702974977]),
            ("square_misplaced", [0.000670700260932966, 1.0, 0.000670700260932966]),  # 1 - tanh(x**2)
        ],
        id="tanh_grad of a 1-d array",
    ),
    pytest.param(
        np.array([2.0]), [0.07065082485316443], {}, id="tanh_grad(np.array([2.0])) is a 1-element array"
    ),
    pytest.param(np.array([], dtype=float), [], {}, id="tanh_grad of an empty array is an empty array"),
]


@pytest.mark.parametrize(("x", "expected", "known"), TANH_GRAD_CASES)
def test_tanh_grad_is_one_minus_tanh_squared(x, expected, known):
    check("tanh", "tanh_grad", x, expected, known=known)


@pytest.mark.parametrize("function", ["tanh", "tanh_grad"])
def test_tanh_does_not_modify_its_input(function):
    check_unchanged("tanh", function, np.array([-1.0, 0.0, 3.0]))
