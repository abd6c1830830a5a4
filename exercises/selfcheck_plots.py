"""Feedback for the public checks of plots.py: call a plot function, read its Figure, say what differs.

그림 자가 점검 도우미입니다. 이 파일은 고치지 마세요. / The plot self-check helper. Don't edit this file.
The expected values below are the lecture's own numbers (point counts, first and last values, labels, ranges).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from selfcheck_feedback import SelfCheckFailure, call, diagnose_error, language, text

MESSAGES: dict[str, dict[str, str]] = {
    "not_a_figure": {
        "en": "{function}() returned {got}, not a matplotlib Figure. End with `return fig` "
        "(from `fig, ax = plt.subplots()`) or `return plt.gcf()`.",
        "ko": "{function}()의 반환값이 matplotlib Figure가 아니라 {got}입니다. 마지막 줄에 `return fig`"
        "(`fig, ax = plt.subplots()`로 만든 것)나 `return plt.gcf()`를 쓰세요.",
    },
    "figure_curves": {
        "en": "the figure has {got} curve(s); the lecture's has {expected}.",
        "ko": "그림의 곡선이 {got}개입니다. 강의의 그림에는 {expected}개가 있습니다.",
    },
    "figure_points": {
        "en": "curve {curve} has {got} points from x = {start} to {end}; the lecture's np.arange(...) gives "
        "{expected} points from {expected_start} to {expected_end}.",
        "ko": "곡선 {curve}의 점이 {got}개(x = {start} ~ {end})입니다. 강의의 np.arange(...)로는 "
        "{expected}개({expected_start} ~ {expected_end})가 나옵니다.",
    },
    "figure_values": {
        "en": "curve {curve} at x = {x}: your y = {got}, the lecture's y = {expected}.",
        "ko": "곡선 {curve}, x = {x}에서 여러분의 y = {got}, 강의의 y = {expected}입니다.",
    },
    "figure_labels": {
        "en": "the {axis}-axis label is '{got}'; it should be '{expected}'.",
        "ko": "{axis}축 이름이 '{got}'입니다. 강의의 {axis}축 이름은 '{expected}'입니다.",
    },
    "figure_limits": {
        "en": "the {axis}-axis range is {got}; the lecture's is {expected} (plt.axis(...) or plt.{axis}lim(...)).",
        "ko": "{axis}축 범위가 {got}입니다. 강의의 범위는 {expected}입니다(plt.axis(...)나 plt.{axis}lim(...)).",
    },
    "figure_legend": {
        "en": "the legend shows {got}; the lecture's shows {expected}. Give each curve label=... and call legend().",
        "ko": "범례가 {got}입니다. 강의의 범례는 {expected}입니다. 곡선마다 label 인자를 주고 legend()를 호출하세요.",
    },
}


def _say(key: str, **params: Any) -> str:
    entry = MESSAGES[key]
    return entry.get(language(), entry["en"]).format(**params)


def _fail(called: str, key: str, **params: Any) -> None:
    message = f"{text('label.checked')}: {called}()\n  {text('label.hint')} [{key}]: {_say(key, **params)}"
    raise SelfCheckFailure(message, key)


def _figure_of(module_name: str, function: str) -> Any:
    """Call the student's plot function and return its Figure (closed, so that nothing else shows it)."""
    result = call(module_name, function)
    if result.error is not None:
        hint = diagnose_error(function, result.error, result.where) or "unexpected_error"
        raised = f"{type(result.error).__name__}: {result.error}"
        where = f"\n  {text('label.where')}: {result.where}" if result.where else ""
        message = (
            f"{text('label.checked')}: {function}()\n  {text('label.raised')}: {raised}{where}\n"
            f"  {text('label.hint')} [{hint}]: {text('hint.' + hint, function=function)}"
        )
        raise SelfCheckFailure(message, hint)
    from matplotlib.figure import Figure

    if not isinstance(result.value, Figure):
        _fail(function, "not_a_figure", function=function, got=type(result.value).__name__)
    import matplotlib.pyplot as plt

    plt.close(result.value)
    return result.value


def _curves(figure: Any) -> list[Any]:
    axes = figure.get_axes()
    return [line for line in axes[0].get_lines() if len(line.get_xdata()) > 2] if axes else []


def _n(value: float) -> str:
    return f"{float(value):.6g}"


def check_curves(module_name: str, function: str, expected: list[dict[str, Any]]) -> None:
    """Each curve: its label (when the lecture gives one), point count, first and last x and y."""
    curves = _curves(_figure_of(module_name, function))
    if len(curves) != len(expected):
        _fail(function, "figure_curves", got=len(curves), expected=len(expected))
    for line, want in zip(curves, expected):
        name = want.get("label") or "#1"
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        start, end = want["x"]
        if x.size != want["points"] or not np.allclose([x[0], x[-1]], [start, end], atol=1e-6):
            _fail(
                function,
                "figure_points",
                curve=name,
                got=x.size,
                start=_n(x[0]) if x.size else "-",
                end=_n(x[-1]) if x.size else "-",
                expected=want["points"],
                expected_start=_n(start),
                expected_end=_n(end),
            )
        for index, value in want["y"].items():
            if y.shape != x.shape or not np.isclose(y[index], value, rtol=1e-6, atol=1e-9):
                got = _n(y[index]) if y.shape == x.shape else f"shape {y.shape}"
                _fail(function, "figure_values", curve=name, x=_n(x[index]), got=got, expected=_n(value))


def check_axes(module_name: str, function: str, expected: dict[str, Any]) -> None:
    """The axis labels, the ranges the slide sets and the legend."""
    figure = _figure_of(module_name, function)
    if not figure.get_axes():
        _fail(function, "figure_curves", got=0, expected=1)
    ax = figure.get_axes()[0]
    for axis, accepted in (("x", expected["xlabel"]), ("y", expected["ylabel"])):
        got = (ax.get_xlabel() if axis == "x" else ax.get_ylabel()).strip()
        if got not in accepted:
            _fail(function, "figure_labels", axis=axis, got=got, expected=accepted[0])
    for axis, wanted in expected["limits"].items():
        got = ax.get_xlim() if axis == "x" else ax.get_ylim()
        if not np.allclose(got, wanted, atol=1e-9):
            _fail(function, "figure_limits", axis=axis, got=tuple(_n(v) for v in got), expected=wanted)
    if expected.get("legend"):
        legend = ax.get_legend()
        got = sorted(t.get_text() for t in legend.get_texts()) if legend is not None else []
        if got != sorted(expected["legend"]):
            _fail(function, "figure_legend", got=got or "-", expected=expected["legend"])
