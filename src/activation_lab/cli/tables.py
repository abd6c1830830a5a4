"""The terminal tables of ``activation-lab grade``: one row per submission; its failed tests."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from activation_lab.display import inert, visible
from activation_lab.i18n import message
from activation_lab.reports.report import ReportJSON


def _shown(value: float) -> str:
    """A score for the terminal: up to 2 decimals."""
    return format(round(float(value), 2), ".12g")


def _status_text(status: str, lang: str) -> str:
    try:
        return message("grading", f"status.{status}", lang)
    except KeyError:
        return status


_STATUS_STYLE = {
    "graded": "green",
    "passed": "green",
    "failed": "red",
    "error": "bold red",
    "missing": "yellow",
}


def summary_table(reports: Sequence[ReportJSON], exercise_ids: Sequence[str], lang: str) -> Table:
    """A rich table with one row per submission: exercise scores, quiz, total and status."""

    def t(key: str) -> str:
        return message("grading", f"table.{key}", lang)

    table = Table(title=None, show_lines=False)
    table.add_column(t("submission"), no_wrap=True)
    for exercise_id in exercise_ids:
        table.add_column(exercise_id, justify="right", no_wrap=True)
    table.add_column(t("quiz"), justify="right", no_wrap=True)
    table.add_column(t("total"), justify="right", no_wrap=True)
    table.add_column(t("status"), no_wrap=True)
    for report in reports:
        by_id = {exercise["id"]: exercise for exercise in report["exercises"]}
        cells: list[Any] = [inert(report["submission"])]  # a name is shown as written, never as markup
        for exercise_id in exercise_ids:
            exercise = by_id.get(exercise_id)
            if exercise is None:
                cells.append("")
            elif exercise["status"] == "graded":
                cells.append(_shown(exercise["score"]))
            else:
                style = _STATUS_STYLE.get(exercise["status"], "red")
                cells.append(f"[{style}]{_status_text(exercise['status'], lang)}[/]")
        cells.append("-" if report["quiz"] is None else _shown(report["quiz"]["score"]))
        cells.append(f"{_shown(report['score'])} / {_shown(report['max_score'])}")
        style = _STATUS_STYLE.get(report["status"], "red")
        cells.append(f"[{style}]{_status_text(report['status'], lang)}[/]")
        table.add_row(*cells)
    if len(reports) > 1:
        percents = [100 * r["score"] / r["max_score"] if r["max_score"] else 0.0 for r in reports]
        table.caption = message(
            "grading", "table.summary", lang, count=len(reports), median=_shown(statistics.median(percents))
        )
    return table


# rich's HEAVY_HEAD box, as a summary table draws it: top, header row, header rule, rows, bottom
_TOP, _HEAD, _RULE, _ROW, _BOTTOM = "┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘"


def plain_summary(
    reports: Sequence[ReportJSON], exercise_ids: Sequence[str], lang: str, width: int
) -> str | None:
    """The text ``Console(width=width)`` prints for :func:`summary_table` with no colours, or ``None``.

    Drawing the table through rich costs ~0.5 ms per row (it measures and renders every cell as styled
    segments); a table that fits the width and whose cells are plain one-line text is drawn here with the same
    characters. Anything else (``None``: the caller prints the rich table) is left to rich: a table wider than
    the console, a caption that would wrap, a cell with markup characters, spaces at its ends or a new line.
    """
    from rich.cells import cell_len

    def t(key: str) -> str:
        return message("grading", f"table.{key}", lang)

    if not reports:
        return None
    header = [t("submission"), *exercise_ids, t("quiz"), t("total"), t("status")]
    right = [False, *(True for _ in exercise_ids), True, True, False]
    rows = []
    for report in reports:
        by_id = {exercise["id"]: exercise for exercise in report["exercises"]}
        cells = [visible(report["submission"])]
        for exercise_id in exercise_ids:
            exercise = by_id.get(exercise_id)
            if exercise is None:
                cells.append("")
            elif exercise["status"] == "graded":
                cells.append(_shown(exercise["score"]))
            else:
                cells.append(_status_text(exercise["status"], lang))
        cells.append("-" if report["quiz"] is None else _shown(report["quiz"]["score"]))
        cells.append(f"{_shown(report['score'])} / {_shown(report['max_score'])}")
        cells.append(_status_text(report["status"], lang))
        rows.append(cells)
    texts = [*header, *(cell for row in rows for cell in row[1:])]  # rich reads these as markup
    names = [row[0] for row in rows]  # shown as written (``inert``)
    if any(not text.isprintable() or text != text.strip() for text in [*texts, *names]):
        return None
    if not all(map(_plain_markup, texts)):
        return None
    widths = [max(cell_len(cell) for cell in column) + 2 for column in zip(header, *rows, strict=True)]
    total = sum(widths) + len(widths) + 1
    caption = None
    if len(reports) > 1:
        percents = [100 * r["score"] / r["max_score"] if r["max_score"] else 0.0 for r in reports]
        caption = message(
            "grading", "table.summary", lang, count=len(reports), median=_shown(statistics.median(percents))
        )
        if not caption.isprintable() or caption != caption.strip() or not _plain_markup(caption):
            return None
    if total > width or (caption is not None and cell_len(caption) > total):
        return None

    def rule(box: str) -> str:
        return box[0] + box[2].join(box[1] * w for w in widths) + box[3]

    def line(box: str, cells: list[str]) -> str:
        shown = []
        for cell, w, to_right in zip(cells, widths, right, strict=True):
            space = " " * (w - 2 - cell_len(cell))
            shown.append(f" {space}{cell} " if to_right else f" {cell}{space} ")
        return box[0] + box[2].join(shown) + box[3]

    lines = [rule(_TOP), line(_HEAD, header), rule(_RULE), *(line(_ROW, row) for row in rows), rule(_BOTTOM)]
    if caption is not None:
        left = (total - cell_len(caption)) // 2
        lines.append(" " * left + caption + " " * (total - left - cell_len(caption)))
    return "".join(f"{text}\n" for text in lines)


def _plain_markup(text: str) -> bool:
    """Whether rich prints ``text`` (read as markup, emoji codes replaced) as it is: no ``[``, ``]`` or
    ``\\``, and at most one ``:`` (an emoji code such as ``:smile:`` needs two)."""
    return not any(mark in text for mark in "[]\\") and text.count(":") < 2


def detail_table(report: ReportJSON, lang: str) -> Table:
    """A rich table with every test of one submission that did not pass, with its feedback."""

    def t(key: str) -> str:
        return message("grading", f"table.{key}", lang)

    def shown(text: str) -> Any:
        return inert(text, keep_newlines=True)

    table = Table(title=inert(report["submission"]), show_lines=True)
    table.add_column(t("exercise"))
    table.add_column(t("test"), overflow="fold")
    table.add_column(t("score"), justify="right")
    table.add_column(t("feedback"), overflow="fold")
    for exercise in report["exercises"]:
        if not exercise["tests"] and exercise["notes"]:
            table.add_row(
                shown(exercise["id"]), "", _shown(exercise["score"]), shown("\n".join(exercise["notes"]))
            )
        for test in exercise["tests"]:
            if test["status"] == "passed" and not test["hints"]:
                continue  # a passed test shows only when it carries advice (never a deduction)
            name = test["name"] + (" " + t("hidden_test") if test["hidden"] else "")
            score = f"{_shown(test['score'])} / {_shown(test['max_score'])}"
            table.add_row(shown(exercise["id"]), shown(name), score, shown(test["feedback"]))
    if report["error"]:
        table.add_row("", "", "", inert(report["error"], keep_newlines=True, style="bold red"))
    if not table.rows:  # an empty table would look like a crash; say that everything passed
        table.add_row("", "", "", t("all_passed"))
    return table
