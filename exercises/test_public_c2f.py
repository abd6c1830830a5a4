"""Public checks of c2f.py: the lecture's own table and the clamp at 32. 강의의 표와 32 에서의 클램프."""

import pytest
from selfcheck_feedback import check

# The lecture's table: [-20, -10, 0, 36.5, 40, 50, 100] -> [32, 32, 32.0, 97.7, 104.0, 122.0, 212.0]
LECTURE_TABLE = [
    pytest.param(
        -20,
        32,
        [
            ("c2f_no_clamp", -4.0),
            ("c2f_clamp_zero", 0),
            ("c2f_clamp_before_linear", 89.6),  # activate(C) * 9/5 + 32
            ("c2f_clamp_before_linear", 64),  # activate(9/5 * C) + 32
        ],
        id="C2F(-20) = 32",
    ),
    pytest.param(
        -10, 32, [("c2f_clamp_before_linear", 89.6), ("c2f_clamp_before_linear", 64)], id="C2F(-10) = 32"
    ),
    pytest.param(
        0, 32.0, [("c2f_clamp_before_linear", 89.6), ("c2f_clamp_before_linear", 64)], id="C2F(0) = 32.0"
    ),
    pytest.param(
        36.5, 97.7, {"c2f_inverted_ratio": 52.27777777777778, "c2f_floor_div": 68.5}, id="C2F(36.5) = 97.7"
    ),
    pytest.param(
        40, 104.0, {"c2f_inverted_ratio": 54.22222222222222, "c2f_floor_div": 72}, id="C2F(40) = 104.0"
    ),
    pytest.param(
        50, 122.0, {"c2f_inverted_ratio": 59.77777777777778, "c2f_floor_div": 82}, id="C2F(50) = 122.0"
    ),
    pytest.param(
        100,
        212.0,
        [
            ("c2f_inverted_ratio", 87.55555555555556),
            ("c2f_inverted_ratio", 37.77777777777778),  # Fahrenheit to Celsius: (C - 32) * 5 / 9
            ("c2f_floor_div", 132),
        ],
        id="C2F(100) = 212.0",
    ),
    # not on the slide: a body temperature whose Fahrenheit value has two decimals (rounding shows here)
    pytest.param(36.6, 97.88000000000001, {}, id="C2F(36.6) = 97.88 (not rounded)"),
]


@pytest.mark.parametrize(("celsius", "fahrenheit", "known"), LECTURE_TABLE)
def test_C2F_reproduces_the_lecture_table(celsius, fahrenheit, known):
    check("c2f", "C2F", celsius, fahrenheit, known=known)


ACTIVATE_CASES = [
    pytest.param(20.0, 32, {"c2f_clamp_zero": 20.0}, id="activate(20.0) = 32"),
    pytest.param(-5, 32, {"c2f_clamp_zero": 0}, id="activate(-5) = 32"),
    pytest.param(32, 32, {}, id="activate(32) = 32"),
    pytest.param(97.7, 97.7, {}, id="activate(97.7) = 97.7"),
]


@pytest.mark.parametrize(("z", "expected", "known"), ACTIVATE_CASES)
def test_activate_clamps_below_32(z, expected, known):
    check("c2f", "activate", z, expected, known=known)
