"""Hidden tests of plots.py: the lecture's five figures (10 points), graded from their data, headless.

Each function earns one point for its curves (x and y against the reference figure) and one for its axes
(labels, the ranges the slide sets, the legend). The tests run figure by figure, so a figure that hangs costs
only the tests after it. They are public: a plot's feedback may show numbers, since
``activation-lab check --plot`` shows the reference curve anyway.
"""

import pytest

EXERCISE = "plots"

# (function, axes whose range the slide sets, extra accepted texts)
FIGURES = [
    ("plot_c2f", ("x", "y"), {"xlabel": ("Celcius",)}),  # the slide's spelling counts too
    ("plot_sigmoid", ("y",), {}),
    ("plot_tanh", ("y",), {}),
    ("plot_relu", ("y",), {}),
    ("plot_step", ("y",), {}),
]
CASES = [
    pytest.param(name, part, limits, accept, id=f"{name}: {part}")
    for name, limits, accept in FIGURES
    for part in ("curves", "axes")  # curves: x and y of each line; axes: labels, ranges, legend
]


@pytest.mark.points(1)
@pytest.mark.public
@pytest.mark.title(en="the lecture's figure", ko="강의의 그림")
@pytest.mark.parametrize(("name", "part", "limits", "accept"), CASES)
def test_figure(check, name, part, limits, accept):
    if part == "curves":
        check.figure(name, parts=("curves",))
    else:
        check.figure(name, parts=("labels", "limits", "legend"), limits=limits, accept=accept)
