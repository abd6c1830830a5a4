"""Reference solution of plots.py: the lecture's five figures, each returned as a matplotlib Figure.

Self-contained (the grader imports each reference alone), and built with the object API so that no global
pyplot state or display is involved.
"""

import numpy as np
from matplotlib.figure import Figure


def _axes():
    figure = Figure()
    return figure, figure.add_subplot()


def plot_c2f():
    """C2F over np.arange(-100, 100, .1), axis [-20, 50, 0, 150], labels Celsius / Fahrenheit."""
    x = np.arange(-100, 100, 0.1)
    y = [max(9 / 5 * c + 32, 32) for c in x]
    figure, ax = _axes()
    ax.plot(x, y)
    ax.axis([-20, 50, 0, 150])
    ax.set_xlabel("Celsius")
    ax.set_ylabel("Fahrenheit")
    return figure


def plot_sigmoid():
    """σ over np.arange(-10.0, 10.0, 0.1), y from -0.1 to 1.1, labels x / h(x)."""
    x = np.arange(-10.0, 10.0, 0.1)
    figure, ax = _axes()
    ax.plot(x, 1 / (1 + np.exp(-x)))
    ax.axvline(0, color="black")
    ax.set_xlabel("x", fontsize=16)
    ax.set_ylabel("h(x)", fontsize=16)
    ax.set_ylim(-0.1, 1.1)
    ax.set_yticks([0.0, 0.5, 1.0])
    ax.grid(axis="y")
    return figure


def plot_tanh():
    """tanh, tanh' and σ over np.arange(-5.0, 5.0, 0.1) with a legend, y from -1.1 to 1.1."""
    x = np.arange(-5.0, 5.0, 0.1)
    figure, ax = _axes()
    ax.plot(x, np.tanh(x), label="tanh")
    ax.plot(x, (1 - np.tanh(x)) * (1 + np.tanh(x)), label="tanh'")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_ylim(-1.1, 1.1)
    ax.plot(x, 1 / (1 + np.exp(-x)), label="sigmoid")
    ax.legend(loc="best")
    return figure


def plot_relu():
    """ReLU over np.arange(-5.0, 5.0, 0.1), y from -1 to 5, labels x / h(x)."""
    x = np.arange(-5.0, 5.0, 0.1)
    figure, ax = _axes()
    ax.plot(x, np.maximum(0, x))
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    ax.set_ylim(-1, 5)
    return figure


def plot_step():
    """The unipolar step over np.arange(-5.0, 5.0, 0.1), y from -0.1 to 1.1, labels x / h(x)."""
    x = np.arange(-5.0, 5.0, 0.1)
    figure, ax = _axes()
    ax.plot(x, np.where(x >= 0, 1, 0))
    ax.set_xlabel("x")
    ax.set_ylabel("h(x)")
    ax.set_ylim(-0.1, 1.1)
    return figure
