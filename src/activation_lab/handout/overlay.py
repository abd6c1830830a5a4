"""``activation-lab check DIR --plot``: per plot function, a PNG of the student's curves over the reference's.

The student's figure comes out of the sandbox as plain data (like in grading); the reference's is drawn in
this process. Both are redrawn on a fresh headless (Agg) figure: no student figure object is ever used.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation_lab.errors import ExerciseAborted
from activation_lab.grading.figures import compare_figures, curves, is_figure
from activation_lab.grading.grade import GradingContext, _open_sandbox
from activation_lab.grading.student import through_wire
from activation_lab.grading.suites import load_reference
from activation_lab.i18n import message
from activation_lab.submissions.load import load_submission

PLOT_EXERCISE = "plots"


@dataclass(frozen=True, slots=True)
class Overlay:
    """One function's outcome: the PNG written, or why there is none; and the differences found."""

    function: str
    png: Path | None
    problem: str = ""
    differences: tuple[str, ...] = ()


def _label(line: Any) -> str:
    return "" if line["label"].startswith("_") else line["label"]


def _draw(path: Path, name: str, student: Any, reference: Any, notes: list[str], lang: str) -> None:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from activation_lab.quiz.stats import _hangul_font

    font = _hangul_font()
    lang = lang if lang != "ko" or font else "en"  # no Hangul font: English text, not empty boxes
    style: dict[str, Any] = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with matplotlib.rc_context(style):  # type: ignore[arg-type]
        figure = Figure(figsize=(7, 5), dpi=100)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        theirs = reference["figure"][0]
        lecture, yours = message("handout", "plot.lecture", lang), message("handout", "plot.yours", lang)
        for line in curves(theirs):
            ax.plot(
                line["x"], line["y"], "--", color="0.45", linewidth=2.5, label=f"{lecture} {_label(line)}"
            )
        if is_figure(student) and student["figure"]:
            for line in curves(student["figure"][0]):
                ax.plot(line["x"], line["y"], "-", linewidth=1.5, label=f"{yours} {_label(line)}")
        ax.set_xlim(*theirs["xlim"])
        ax.set_ylim(*theirs["ylim"])
        ax.set_xlabel(theirs["xlabel"])
        ax.set_ylabel(theirs["ylabel"])
        ax.legend(loc="best", fontsize=8)
        ax.set_title(name + ("" if notes else "  ✓"), fontsize=11)
        if notes:
            figure.text(0.01, 0.01, "\n".join(n[:110] for n in notes[:4]), fontsize=7, va="bottom")
            figure.subplots_adjust(bottom=0.14 + 0.03 * min(len(notes), 4))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part.png")
        figure.savefig(partial)
    os.replace(partial, path)


def write_overlays(folder: Path, out: Path, ctx: GradingContext, lang: str) -> list[Overlay]:
    """Run the student's plot functions in the sandbox and write ``out/<function>.png`` for each."""
    spec = ctx.course.exercise(PLOT_EXERCISE)
    submission = load_submission(folder, ctx.course)
    reference = load_reference(ctx.course, spec)
    results = []
    with contextlib.ExitStack() as stack:
        student = None
        if spec.file in submission.files:
            sandbox = stack.enter_context(_open_sandbox({spec.file: submission.files[spec.file]}, ctx))
            student = sandbox.open(Path(spec.file).stem)
        for name in spec.functions:
            expected = through_wire(getattr(reference, name)())
            got, problem = None, ""
            if student is None:
                problem = message("handout", "plot.no_file", lang, file=spec.file, folder=folder)
            elif student.import_error is not None:
                error = student.import_error
                problem = message("handout", "plot.import_error", lang, file=spec.file, error=error.type)
            elif not student.defines(name):
                problem = message("handout", "plot.no_function", lang, file=spec.file, name=name)
            else:
                try:
                    result = student.call(name)
                except ExerciseAborted as exc:  # a hang or a crash: this and the later calls have no figure
                    problem = str(exc)
                else:
                    if result.raised is not None:
                        problem = f"{result.raised.type}: {result.raised.message[:200]}"
                    got = result.value
            differences = (
                [d.render(lang) for d in compare_figures(got, expected, parts=("curves",))]
                if not problem
                else []
            )
            png = out / f"{name}.png"
            _draw(png, name, got, expected, differences or ([problem] if problem else []), lang)
            results.append(Overlay(name, png, problem, tuple(differences)))
    return results
