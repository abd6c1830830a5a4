"""The plot exercise: figures cross the sandbox as plain data, are compared part by part, and are drawn over
the reference by ``activation-lab check DIR --plot``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from activation_lab.cli.main import main
from activation_lab.grading.figures import compare_figures, is_figure
from activation_lab.grading.grade import grade_submission
from activation_lab.grading.student import through_wire
from activation_lab.grading.suites import load_reference
from activation_lab.i18n import render
from activation_lab.records import Opaque
from activation_lab.sandbox import wire
from activation_lab.submissions.load import load_submission

WRONG_PLOTS = """import numpy as np
import matplotlib.pyplot as plt


def plot_c2f():
    x = np.arange(-100, 100, .1)
    plt.figure()
    plt.plot(x, [max(9 / 5 * c + 32, 32) for c in x])
    plt.axis([-20, 50, 0, 150])
    plt.xlabel("Celcius")  # the slide's spelling: accepted
    plt.ylabel("Fahrenheit")
    return plt.gcf()


def plot_sigmoid():
    x = np.arange(-10.0, 10.0, 0.1)
    fig = plt.figure()
    plt.plot(x, 1 / (1 + np.exp(x)))  # the sign inside exp is wrong
    plt.xlabel("x"); plt.ylabel("h(x)"); plt.ylim(-0.1, 1.1)
    return fig


def plot_tanh():
    x = np.arange(-5.0, 5.0, 0.1)
    fig, ax = plt.subplots()
    ax.plot(x, np.tanh(x), label="tanh")
    ax.set_xlabel("x"); ax.set_ylabel("y"); ax.set_ylim(-1.1, 1.1)
    return fig  # two curves and the legend are missing


def plot_relu():
    x = np.arange(-5.0, 5.0, 0.1)
    plt.figure()
    plt.plot(x, np.maximum(0, x))  # returns None


def plot_step():
    raise NotImplementedError
"""


@pytest.fixture(scope="module")
def reference(grading_context):
    return load_reference(grading_context.course, grading_context.course.exercise("plots"))


@pytest.fixture(scope="module")
def figures(reference) -> dict[str, dict]:
    """Each reference figure as the grader receives it."""
    names = ("plot_c2f", "plot_sigmoid", "plot_tanh", "plot_relu", "plot_step")
    return {name: through_wire(getattr(reference, name)()) for name in names}


def test_a_figure_crosses_the_wire_as_json_data(reference) -> None:
    encoded = wire.encode_value(reference.plot_tanh())
    text = json.dumps(encoded)  # plain JSON: nothing to unpickle on the other side
    decoded = wire.decode_value(json.loads(text), opaque=Opaque)
    assert is_figure(decoded)
    axes = decoded["figure"][0]
    assert [line["label"] for line in axes["lines"]] == ["tanh", "tanh'", "sigmoid"]
    assert type(axes["lines"][0]["x"]) is np.ndarray and axes["lines"][0]["x"].shape == (100,)
    assert axes["ylim"] == (-1.1, 1.1) and axes["legend"] == ("tanh", "tanh'", "sigmoid")


def test_a_figure_subclass_stays_opaque() -> None:
    class Sneaky(Figure):
        pass

    assert wire.encode_value(Sneaky()) == {"opaque": "Sneaky"}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"figure": {"axes": [{"title": 3}]}}, id="text-not-a-string"),
        pytest.param({"figure": {"axes": "x"}}, id="axes-not-a-list"),
        pytest.param(
            {
                "figure": {
                    "axes": [
                        {"title": "", "xlabel": "", "ylabel": "", "lines": [{"label": "", "x": 1, "y": 2}]}
                    ]
                }
            },
            id="line-data-not-arrays",
        ),
    ],
)
def test_malformed_figure_data_is_a_protocol_error(payload) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.decode_value(payload, opaque=Opaque)


def _edit(figure: dict, change) -> dict:
    edited = copy.deepcopy(figure)
    axes = dict(edited["figure"][0])
    axes["lines"] = tuple(dict(line) for line in axes["lines"])
    change(axes)
    return {"figure": (axes, *edited["figure"][1:])}


def _set(key, value):
    return lambda axes: axes.__setitem__(key, value)


def _line(index, key, transform):
    def change(axes):
        axes["lines"][index][key] = transform(axes["lines"][index][key])

    return change


CASES = [
    pytest.param("plot_sigmoid", lambda a: None, {}, [], id="identical"),
    pytest.param("plot_sigmoid", _set("lines", ()), {}, ["figure.curve_count"], id="no-curve"),
    pytest.param(
        "plot_sigmoid", lambda a: a.__setitem__("lines", a["lines"][:1]), {}, [], id="axvline-optional"
    ),
    pytest.param(
        "plot_sigmoid", _line(0, "y", lambda y: 1 - y), {}, ["figure.y_values"], id="mirrored-curve"
    ),
    pytest.param("plot_sigmoid", _line(0, "y", lambda y: y[::2]), {}, ["figure.points"], id="fewer-points"),
    pytest.param("plot_relu", _line(0, "x", lambda x: x + 0.05), {}, ["figure.x_values"], id="shifted-x"),
    pytest.param(
        "plot_c2f", _set("xlabel", "Celcius"), {"xlabel": ("Celcius",)}, [], id="slide-spelling-accepted"
    ),
    pytest.param("plot_c2f", _set("xlabel", "C"), {}, ["figure.xlabel"], id="wrong-xlabel"),
    pytest.param("plot_step", _set("ylabel", ""), {}, ["figure.ylabel"], id="no-ylabel"),
    pytest.param("plot_c2f", _set("xlim", (-100.0, 100.0)), {}, ["figure.limits"], id="axis-not-set"),
    pytest.param("plot_tanh", _set("legend", None), {}, ["figure.no_legend"], id="no-legend"),
    pytest.param("plot_tanh", _set("legend", ("tanh", "sigmoid")), {}, ["figure.legend"], id="legend-short"),
]


@pytest.mark.parametrize(("name", "change", "accept", "keys"), CASES)
def test_compare_figures_names_what_differs(figures, name, change, accept, keys) -> None:
    got = _edit(figures[name], change)
    problems = compare_figures(got, figures[name], accept=accept)
    assert [p.key for p in problems] == keys
    for problem in problems:
        assert problem.render("ko") and problem.render("en")


@pytest.mark.parametrize(
    "value", [None, 3.0, np.zeros(3), {"figure": ()}], ids=["none", "number", "array", "no-axes"]
)
def test_anything_but_a_figure_is_told_so(figures, value) -> None:
    keys = [p.key for p in compare_figures(value, figures["plot_relu"])]
    assert keys == (["figure.no_axes"] if isinstance(value, dict) else ["figure.not_a_figure"])


def test_the_engine_grades_plots_separately_with_feedback(write_submission, grading_context) -> None:
    folder = write_submission("plotter", {"plots.py": WRONG_PLOTS}, reference=("step.py",))
    report = grade_submission(load_submission(folder, grading_context.course), grading_context)
    scores = {e.id: e for e in report.exercises}
    assert scores["step"].score == 10  # the five exercises keep their own scores
    plots = scores["plots"]
    assert plots.max_score == 10 and plots.score == 3  # c2f (2) and the sigmoid's axes (1)
    feedback = {t.name.render("en").split("[")[-1].rstrip("]"): render(t.feedback, "en") for t in plots.tests}
    assert "Curve #1 differs at 199 of 200 points" in feedback["plot_sigmoid: curves"]
    assert "has 1 curve(s); the lecture's has 3" in feedback["plot_tanh: curves"]
    assert "no legend" in feedback["plot_tanh: axes"]
    assert "did not return a matplotlib Figure" in feedback["plot_relu: curves"]


def test_check_plot_writes_one_png_per_function(tmp_path: Path, write_submission, capsys) -> None:
    folder = write_submission("plotter", {"plots.py": WRONG_PLOTS})
    out = tmp_path / "png"
    assert main(["check", str(folder), "--plot", "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    for name in ("plot_c2f", "plot_sigmoid", "plot_tanh", "plot_relu", "plot_step"):
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    assert "Curve #1 differs" in printed and "NotImplementedError" in printed
    assert not list(out.glob("*.part*"))


def test_check_needs_something_to_do(capsys) -> None:
    assert main(["check"]) == 2
    assert "give --list" in capsys.readouterr().err


def test_check_plot_without_plots_py_draws_the_lecture_and_says_so(
    tmp_path: Path, write_submission, capsys
) -> None:
    folder = write_submission("no-plots", reference=("step.py",))
    assert main(["check", str(folder), "--plot", "--lang", "en"]) == 0
    assert "has no plots.py" in capsys.readouterr().out
    assert len(list((folder / "plot-check").glob("*.png"))) == 5


def test_an_unreadable_figure_arrives_opaque(grading_context) -> None:
    figure = Figure()
    line = figure.add_subplot().plot([0, 1, 2], [0, 1, 2])[0]
    line.set_xdata(["a", "b", "c"])  # matplotlib keeps it; float conversion fails inside the worker
    value = wire.decode_value(json.loads(json.dumps(wire.encode_value(figure))), opaque=Opaque)
    assert not is_figure(value) and value.type_name == "Figure (unreadable)"
