"""Public checks of plots.py: the lecture's figures, from their data. 강의의 그림 공개 점검 (matplotlib 필요)."""

import pytest

pytest.importorskip("matplotlib", reason="pip install matplotlib")

from selfcheck_plots import check_axes, check_curves  # noqa: E402

# (function, curves: label / points / first and last x / y at chosen indices, axes: labels / ranges / legend)
ARANGE_5 = {"points": 100, "x": (-5.0, 4.9)}  # np.arange(-5.0, 5.0, 0.1)
FIGURES = {
    "plot_c2f": (
        [{"points": 2000, "x": (-100.0, 99.9), "y": {0: 32.0, 1500: 122.0, -1: 211.82}}],
        {"xlabel": ("Celsius", "Celcius"), "ylabel": ("Fahrenheit",), "limits": {"x": (-20, 50), "y": (0, 150)}},
    ),
    "plot_sigmoid": (
        [{"points": 200, "x": (-10.0, 9.9), "y": {0: 4.5397868702434395e-05, 100: 0.5, -1: 0.9999498278353162}}],
        {"xlabel": ("x",), "ylabel": ("h(x)",), "limits": {"y": (-0.1, 1.1)}},
    ),
    "plot_tanh": (
        [
            {"label": "tanh", **ARANGE_5, "y": {0: -0.9999092042625951, 50: 0.0}},
            {"label": "tanh'", **ARANGE_5, "y": {0: 0.00018158323094385264, 50: 1.0}},
            {"label": "sigmoid", **ARANGE_5, "y": {0: 0.0066928509242848554, 50: 0.5}},
        ],
        {"xlabel": ("x",), "ylabel": ("y",), "limits": {"y": (-1.1, 1.1)}, "legend": ["tanh", "tanh'", "sigmoid"]},
    ),
    "plot_relu": (
        [{**ARANGE_5, "y": {0: 0.0, 49: 0.0, -1: 4.9}}],
        {"xlabel": ("x",), "ylabel": ("h(x)",), "limits": {"y": (-1, 5)}},
    ),
    "plot_step": (
        [{**ARANGE_5, "y": {0: 0.0, 51: 1.0, -1: 1.0}}],
        {"xlabel": ("x",), "ylabel": ("h(x)",), "limits": {"y": (-0.1, 1.1)}},
    ),
}


@pytest.mark.parametrize("function", list(FIGURES))
def test_curves_match_the_lecture(function):
    check_curves("plots", function, FIGURES[function][0])


@pytest.mark.parametrize("function", list(FIGURES))
def test_labels_ranges_and_legend_match_the_lecture(function):
    check_axes("plots", function, FIGURES[function][1])
