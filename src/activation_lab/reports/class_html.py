"""The class report as one self-contained HTML page (inline SVG charts, inline CSS and JS, no network).

Every string that comes from a submission or a report (names, feedback, notes) goes through :func:`esc`;
the page's Content-Security-Policy forbids loading anything, so it opens offline and cannot call out.

Why one long module: the page's sections, its inline SVG charts and the escaping rule are one template;
keeping them together keeps every string's path to :func:`esc` visible.
"""

from __future__ import annotations

import csv
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activation_lab import __version__
from activation_lab.display import csv_cell
from activation_lab.fsutil import write_atomic
from activation_lab.i18n import load_catalog, message
from activation_lab.reports.class_stats import BINS, CheckStats, ClassStats

REPORT_HTML = "report.html"
TESTS_CSV = "report-tests.csv"
SECTIONS = ("distribution", "exercises", "tests", "misconceptions", "quiz", "troubles")
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def esc(value: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _t(key: str, lang: str, **params: Any) -> str:
    return message("class_report", key, lang, **params)


def _num(value: float, digits: int = 2) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _pct(value: float) -> str:
    return "" if math.isnan(value) else f"{100 * value:.1f} %"


def _table(table_id: str, header: Sequence[str], rows: Sequence[Sequence[tuple[str, Any]]]) -> str:
    """A sortable table; each cell is (escaped display HTML, sort key)."""
    head = "".join(f'<th scope="col" tabindex="0">{esc(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = "".join(f'<td data-sort="{esc(key)}">{shown}</td>' for shown, key in row)
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="sortable" id="{esc(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _cell(value: Any, sort: Any = None) -> tuple[str, Any]:
    return esc(value), value if sort is None else sort


def _bar_chart(
    values: Sequence[float],
    labels: Sequence[str],
    *,
    top: float,
    alt: str,
    x_title: str,
    y_title: str,
    as_percent: bool = False,
) -> str:
    """A vertical bar chart as inline SVG (labels escaped)."""
    width, height, left, bottom, pad = 640, 260, 48, 48, 12
    plot_w, plot_h = width - left - pad, height - bottom - pad
    count = max(1, len(values))
    slot = plot_w / count
    top = top or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{esc(alt)}</title>',
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{left + plot_w}" y2="{pad + plot_h}" stroke="#444"/>',
        f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{pad + plot_h}" stroke="#444"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = pad + plot_h - plot_h * tick / 4
        label = f"{100 * value:.0f}%" if as_percent else f"{value:g}"
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{esc(label)}</text>'
        )
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_h = plot_h * (value / top) if top else 0
        x = left + index * slot + slot * 0.1
        y = pad + plot_h - bar_h
        shown = f"{100 * value:.0f}%" if as_percent else f"{value:g}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{bar_h:.1f}" fill="#3b6ea8">'
            f"<title>{esc(label)}: {esc(shown)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + slot * 0.4:.1f}" y="{pad + plot_h + 14}" text-anchor="middle" font-size="10">'
            f"{esc(label)}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" font-size="12">'
        f"{esc(x_title)}</text>"
        f'<text x="12" y="{pad + plot_h / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 12 {pad + plot_h / 2})">{esc(y_title)}</text></svg>'
    )
    return "".join(parts)


def _distribution(stats: ClassStats, lang: str) -> str:
    d = stats.distribution
    labels = [f"{i * 100 // BINS}–{(i + 1) * 100 // BINS}" for i in range(BINS)]
    highest = max(d.counts, default=0) or 1
    chart = _bar_chart(
        [float(c) for c in d.counts],
        labels,
        top=float(math.ceil(highest / 4) * 4),  # ticks at quarters: whole students
        alt=_t("distribution.alt", lang),
        x_title=_t("distribution.axis_x", lang),
        y_title=_t("distribution.axis_y", lang),
    )
    summary = _t(
        "distribution.summary",
        lang,
        graded=stats.graded,
        count=stats.reports,
        maximum=f"{d.max_score:g}",
        mean=_num(d.mean, 1),
        median=_num(d.median, 1),
        stdev=_num(d.stdev, 1),
    )
    return f"<p>{esc(summary)}</p><figure>{chart}</figure>"


def _exercises(stats: ClassStats, lang: str) -> str:
    chart = _bar_chart(
        [e.failure_rate for e in stats.exercises],
        [e.id for e in stats.exercises],
        top=1.0,
        alt=_t("exercises.alt", lang),
        x_title=_t("col.exercise", lang),
        y_title=_t("col.failure_rate", lang),
        as_percent=True,
    )
    header = [
        _t(f"col.{k}", lang)
        for k in ("exercise", "max", "submitted", "mean", "full", "failure_rate", "statuses")
    ]
    rows = [
        [
            _cell(e.id),
            _cell(f"{e.max_score:g}", e.max_score),
            _cell(f"{e.submitted} / {e.submissions}", e.submitted),
            _cell(_num(e.mean_score), -1 if math.isnan(e.mean_score) else e.mean_score),
            _cell(e.full_marks),
            _cell(_pct(e.failure_rate), e.failure_rate),
            _cell(", ".join(f"{_status(k, lang)}: {v}" for k, v in e.statuses.items())),
        ]
        for e in stats.exercises
    ]
    return f"<figure>{chart}</figure>" + _table("exercises-table", header, rows)


def _tests(stats: ClassStats, lang: str) -> str:
    header = [
        _t(f"col.{k}", lang)
        for k in ("exercise", "test", "hidden", "max", "runs", "failed", "errored", "failure_rate", "mean")
    ]
    rows = [
        [
            _cell(t.exercise),
            _cell(t.name),
            _cell(_t("yes" if t.hidden else "no", lang), int(t.hidden)),
            _cell(f"{t.max_score:g}", t.max_score),
            _cell(t.runs),
            _cell(t.failed),
            _cell(t.errored),
            _cell(_pct(t.failure_rate), t.failure_rate),
            _cell(_num(t.mean_score), t.mean_score),
        ]
        for t in stats.tests
    ]
    link = f'<a href="{esc(TESTS_CSV)}">{esc(TESTS_CSV)}</a>'
    note = esc(_t("tests.csv", lang, file="\0")).replace("\0", link)
    return f"<p>{note}</p>" + _table("tests-table", header, rows)


def _flag(flag: str, lang: str) -> str:
    try:
        return _t(f"flag.{flag}", lang)
    except KeyError:
        return flag


def _status(status: str, lang: str) -> str:
    try:
        return message("grading", f"status.{status}", lang)
    except KeyError:
        return status


class _Elided(dict[str, str]):
    """Format parameters that are all "…": a hint's fix (``{fix}``) belongs to one student's code."""

    def __missing__(self, name: str) -> str:
        return "…"


def _hint_text(key: str, lang: str) -> str:
    """The hint students see for ``key``, its per-student parameters elided; the key itself if unknown."""
    entry = load_catalog("feedback").get(f"hint.{key}")
    if entry is None:
        return key
    return (entry.get(lang) or entry["en"]).format_map(_Elided())


def _misconceptions(stats: ClassStats, lang: str) -> str:
    if not stats.misconceptions:
        return f"<p>{esc(_t('none.misconceptions', lang))}</p>"
    header = [_t(f"col.{k}", lang) for k in ("misconception", "students", "hint", "example")]
    rows = []
    for m in stats.misconceptions:
        example = (
            f"<b>{esc(m.example_submission)}</b> · {esc(m.example_exercise)} · {esc(m.example_test)}"
            f"<pre>{esc(m.example_feedback)}</pre>"
        )
        rows.append(
            [_cell(m.key), _cell(m.students), _cell(_hint_text(m.key, lang)), (example, m.example_submission)]
        )
    return _table("misconceptions-table", header, rows)


def _quiz(stats: ClassStats, lang: str, distractors: Sequence[Any] | None) -> str:
    if not stats.quiz_items:
        return f"<p>{esc(_t('none.quiz', lang))}</p>"
    header = [
        _t(f"col.{k}", lang)
        for k in ("item", "points", "students", "difficulty", "discrimination", "point_biserial", "flags")
    ]
    rows = [
        [
            _cell(q.id),
            _cell(f"{q.points:g}", q.points),
            _cell(q.students),
            _cell(_num(q.p), q.p),
            _cell(_num(q.discrimination), -9 if math.isnan(q.discrimination) else q.discrimination),
            _cell(_num(q.point_biserial), -9 if math.isnan(q.point_biserial) else q.point_biserial),
            _cell(", ".join(_flag(f, lang) for f in q.flags)),
        ]
        for q in stats.quiz_items
    ]
    parts = [
        f"<p>{esc(_t('quiz.summary', lang, students=stats.quiz_students))}</p>",
        _table("quiz-table", header, rows),
        f"<h3>{esc(_t('quiz.distractors', lang))}</h3>",
    ]
    if distractors is None:
        parts.append(f"<p>{esc(_t('quiz.no_distractors', lang))}</p>")
    else:
        weak = [d for d in distractors if d.non_functioning]
        if not weak:
            parts.append(f"<p>{esc(_t('quiz.no_weak_distractors', lang))}</p>")
        else:
            header = [_t(f"col.{k}", lang) for k in ("item", "choice", "chosen")]
            rows = [[_cell(d.item_id), _cell(d.choice_id), _cell(_pct(d.fraction), d.fraction)] for d in weak]
            parts.append(_table("distractors-table", header, rows))
    return "".join(parts)


def _troubles(stats: ClassStats, lang: str) -> str:
    if not stats.troubles:
        return f"<p>{esc(_t('none.troubles', lang))}</p>"
    header = [_t(f"col.{k}", lang) for k in ("submission", "exercise", "status", "detail")]
    rows = [
        [
            _cell(t.submission),
            _cell(t.exercise),
            _cell(_status(t.status, lang) + (f" ({t.kind})" if t.kind else "")),
            _cell(t.detail),
        ]
        for t in stats.troubles
    ]
    return _table("troubles-table", header, rows)


STYLE = """
body{font-family:system-ui,"Noto Sans CJK KR","NanumGothic",sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #3b6ea8;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef3f9;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}td[data-sort]{font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;margin:.3em 0;font-size:.85em;background:#f6f6f6;padding:.3em}
nav ul{display:flex;flex-wrap:wrap;gap:1em;list-style:none;padding:0}.muted{color:#666;font-size:.85em}
"""

SCRIPT = r"""
(function () {
  function key(cell) {
    var raw = (cell.getAttribute('data-sort') || '').trim();
    return /^-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/i.test(raw)
      ? {n: true, v: parseFloat(raw)} : {n: false, v: raw.toLowerCase()};
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = header.getAttribute('aria-sort') !== 'ascending';
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var order = x.n && y.n ? x.v - y.v : String(x.v).localeCompare(String(y.v));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute('aria-sort');
    });
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.addEventListener('click', function () { sortBy(table, index, th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sortBy(table, index, th); } });
    });
  });
})();
"""


def render_html(
    stats: ClassStats, lang: str, *, folder: str, distractors: Sequence[Any] | None = None
) -> str:
    """The whole page."""
    bodies = {
        "distribution": _distribution(stats, lang),
        "exercises": _exercises(stats, lang),
        "tests": _tests(stats, lang),
        "misconceptions": _misconceptions(stats, lang),
        "quiz": _quiz(stats, lang, distractors),
        "troubles": _troubles(stats, lang),
    }
    nav = "".join(f'<li><a href="#{s}">{esc(_t(f"section.{s}", lang))}</a></li>' for s in SECTIONS)
    sections = "".join(
        f'<section id="{s}"><h2>{esc(_t(f"section.{s}", lang))}</h2>{bodies[s]}</section>' for s in SECTIONS
    )
    title = _t("title", lang, count=stats.reports)
    generated = _t("generated", lang, version=__version__, folder=folder)
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{esc(title)}</h1><p class="muted">{esc(generated)} {esc(_t("sort_hint", lang))}</p>'
        f'<nav aria-label="{esc(_t("nav", lang))}"><ul>{nav}</ul></nav>{sections}'
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def per_test_csv(tests: Sequence[CheckStats]) -> str:
    """The per-test statistics as CSV (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "exercise",
            "test",
            "hidden",
            "max_score",
            "runs",
            "passed",
            "failed",
            "errored",
            "failure_rate",
            "mean_score",
        ]
    )
    for t in tests:
        writer.writerow(
            [
                csv_cell(t.exercise),
                csv_cell(t.name),
                "true" if t.hidden else "false",
                f"{t.max_score:g}",
                t.runs,
                t.passed,
                t.failed,
                t.errored,
                f"{t.failure_rate:.4f}",
                f"{t.mean_score:.4f}",
            ]
        )
    return "\ufeff" + out.getvalue()


def write_class_report(
    out_dir: Path,
    reports: Sequence[Any],
    exercise_ids: Sequence[str],
    lang: str,
    *,
    answers_dir: Path | None = None,
    quizzes: Sequence[Any] = (),
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report-tests.csv`` into ``out_dir``; return both paths."""
    from activation_lab.reports.class_stats import class_stats

    stats = class_stats(reports, exercise_ids)
    distractors = None
    if answers_dir is not None and quizzes:
        from activation_lab.quiz.stats import analyse

        distractors = analyse(answers_dir, quizzes, lang=lang).distractors
    page = out_dir / REPORT_HTML
    table = out_dir / TESTS_CSV
    write_atomic(table, per_test_csv(stats.tests))
    write_atomic(page, render_html(stats, lang, folder=out_dir.name, distractors=distractors))
    return page, table
