"""Comparing a student's figure with the reference's, from plain data (lines' x/y, labels, limits, legend).

A figure crosses the sandbox as ``{"figure": (axes, ...)}`` (``sandbox.worker._encode_figure``); the
reference's figure is turned into the same data with ``through_wire``, so both sides are compared alike.
What differs becomes a list of catalogue messages (``messages/plots.toml``), rendered later in the
student's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from activation_lab.i18n import Message

DOMAIN = "plots"
X_TOLERANCE = 1e-6  # the x grid must be the lecture's np.arange(...), up to rounding
Y_RTOL, Y_ATOL = 1e-6, 1e-9
PARTS = ("curves", "labels", "limits", "legend")


def plot_text(key: str, params: Mapping[str, Any] | None = None) -> Message:
    """One message of ``plots.toml`` with its parameters."""
    return Message(DOMAIN, key, dict(params or {}))


def is_figure(value: Any) -> bool:
    """Whether ``value`` is a figure as it comes out of the sandbox."""
    return type(value) is dict and isinstance(value.get("figure"), tuple)


def curves(axes: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The lines of an axes that are curves: more than two points (``axvline``/``axhline`` are not)."""
    return [line for line in axes["lines"] if line["x"].size > 2]


def _curve_name(line: Mapping[str, Any], index: int) -> str:
    label = line["label"]
    return repr(label) if label and not label.startswith("_") else f"#{index + 1}"


def _first_axes(figure: Any) -> Mapping[str, Any] | None:
    return figure["figure"][0] if is_figure(figure) and figure["figure"] else None


def _compare_curves(got: Mapping[str, Any], expected: Mapping[str, Any]) -> list[Message]:
    got_curves, expected_curves = curves(got), curves(expected)
    if len(got_curves) != len(expected_curves):
        return [plot_text("figure.curve_count", {"got": len(got_curves), "expected": len(expected_curves)})]
    problems = []
    for index, (mine, theirs) in enumerate(zip(got_curves, expected_curves, strict=True)):
        name = _curve_name(theirs, index)
        x, y, ex, ey = mine["x"], mine["y"], theirs["x"], theirs["y"]
        if x.shape != ex.shape or y.shape != ey.shape:
            problems.append(
                plot_text(
                    "figure.points",
                    {
                        "curve": name,
                        "got": y.size,
                        "expected": ey.size,
                        "start": _num(ex[0]),
                        "end": _num(ex[-1]),
                    },
                )
            )
            continue
        if not np.allclose(x, ex, rtol=0, atol=X_TOLERANCE):
            at = int(np.argmax(~np.isclose(x, ex, rtol=0, atol=X_TOLERANCE)))
            problems.append(
                plot_text("figure.x_values", {"curve": name, "got": _num(x[at]), "expected": _num(ex[at])})
            )
            continue
        close = np.isclose(y, ey, rtol=Y_RTOL, atol=Y_ATOL, equal_nan=True)
        if not close.all():
            at = int(np.argmax(~close))
            problems.append(
                plot_text(
                    "figure.y_values",
                    {
                        "curve": name,
                        "count": int((~close).sum()),
                        "total": int(close.size),
                        "x": _num(ex[at]),
                        "got": _num(y[at]),
                        "expected": _num(ey[at]),
                    },
                )
            )
    return problems


def _compare_labels(
    got: Mapping[str, Any], expected: Mapping[str, Any], accept: Mapping[str, Sequence[str]]
) -> list[Message]:
    problems = []
    for part in ("xlabel", "ylabel"):
        wanted = expected[part].strip()
        allowed = {wanted, *accept.get(part, ())}
        if got[part].strip() not in allowed:
            problems.append(plot_text(f"figure.{part}", {"got": got[part].strip(), "expected": wanted}))
    return problems


def _compare_limits(
    got: Mapping[str, Any], expected: Mapping[str, Any], limits: Sequence[str]
) -> list[Message]:
    problems = []
    for axis in limits:
        mine, theirs = got[f"{axis}lim"], expected[f"{axis}lim"]
        if len(mine) != 2 or not np.allclose(mine, theirs, rtol=0, atol=1e-9):
            problems.append(
                plot_text(
                    "figure.limits",
                    {"axis": axis, "got": _pair(mine), "expected": _pair(theirs)},
                )
            )
    return problems


def _compare_legend(got: Mapping[str, Any], expected: Mapping[str, Any]) -> list[Message]:
    if expected["legend"] is None:
        return []
    if got["legend"] is None:
        return [plot_text("figure.no_legend", {"expected": ", ".join(expected["legend"])})]
    if sorted(t.strip() for t in got["legend"]) != sorted(expected["legend"]):
        return [
            plot_text(
                "figure.legend", {"got": ", ".join(got["legend"]), "expected": ", ".join(expected["legend"])}
            )
        ]
    return []


def compare_figures(
    got: Any,
    expected: Any,
    *,
    parts: Sequence[str] = PARTS,
    limits: Sequence[str] = ("x", "y"),
    accept: Mapping[str, Sequence[str]] | None = None,
) -> list[Message]:
    """What differs between the student's figure ``got`` and the reference's ``expected`` (first axes each).

    ``parts`` chooses among curves, labels, limits and legend; ``limits`` which axes' limits count;
    ``accept`` extra accepted texts, e.g. ``{"xlabel": ["Celcius"]}`` (the slide's spelling).
    """
    theirs = _first_axes(expected)
    if theirs is None:
        raise ValueError("the reference did not return a figure with axes")
    if not is_figure(got):
        return [plot_text("figure.not_a_figure")]
    mine = _first_axes(got)
    if mine is None:
        return [plot_text("figure.no_axes")]
    problems: list[Message] = []
    if "curves" in parts:
        problems += _compare_curves(mine, theirs)
    if "labels" in parts:
        problems += _compare_labels(mine, theirs, accept or {})
    if "limits" in parts:
        problems += _compare_limits(mine, theirs, limits)
    if "legend" in parts:
        problems += _compare_legend(mine, theirs)
    return problems


def _num(value: Any) -> str:
    return f"{float(value):.6g}"


def _pair(values: Sequence[float]) -> str:
    return "(" + ", ".join(_num(v) for v in values) + ")"
