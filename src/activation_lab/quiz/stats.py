"""Item analysis for a class: difficulty, discrimination, point-biserial and distractor use, as CSV and a PNG.

Definitions (``docs/quiz-export.md`` explains them for instructors):

- score of student s on item j: ``x[s, j]`` in points (our own grader); fraction ``f = x / points``.
- difficulty ``p_j``: the mean fraction over the class (1 = everyone right).
- discrimination ``D_j``: mean fraction in the upper 27 % of the class by total score minus the lower 27 %;
  group size ``round(0.27·N)`` (at least 1), ties on the total broken by student name. Needs N ≥ 2.
- point-biserial ``r_j``: Pearson correlation of ``f[:, j]`` with the rest score (total minus item j), so the
  item does not correlate with itself; for partial-credit items this is the item-rest correlation. NaN (an
  empty CSV cell) when either has zero variance, e.g. an item everyone got right.
- distractors (choice items): how many students chose each choice, as a fraction of the class; a wrong choice
  chosen by under 5 % is flagged ``non_functioning``.

Why one long module: the statistics, their CSV files and the chart are one analysis of one table of
scores; split, each part would pass that table and the skipped files around.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activation_lab.display import csv_cell
from activation_lab.errors import QuizError, UsageError
from activation_lab.fsutil import write_atomic
from activation_lab.i18n import message
from activation_lab.quiz.grade import find_choice, grade_answers, load_answers
from activation_lab.quiz.load import YAML_MAX_CHARS, QuizValidationError
from activation_lab.quiz.model import MultipleSelect, Quiz, SingleChoice

GROUP_FRACTION = 0.27
NON_FUNCTIONING_BELOW = 0.05
WEAK_DISCRIMINATION_BELOW = 0.2
VERY_EASY_FROM = 0.9
VERY_HARD_UP_TO = 0.2
EPSILON = 1e-9
ANSWERS_SUFFIXES = (".yaml", ".yml")
HANGUL_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "UnDotum")


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """An answers file that could not be used, and why (in the run's language)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ItemStats:
    """The statistics of one item over the class; NaN where undefined."""

    quiz_id: str
    item_id: str
    type: str
    points: float
    students: int
    p: float
    upper_p: float
    lower_p: float
    discrimination: float
    point_biserial: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DistractorStats:
    """How often one choice of a choice item was chosen."""

    quiz_id: str
    item_id: str
    choice_id: str
    correct: bool
    chosen: int
    fraction: float
    non_functioning: bool


@dataclass(frozen=True, slots=True)
class StatsResult:
    """Everything the analysis found, and the files written (empty until ``write_stats``)."""

    students: tuple[str, ...]
    scores: np.ndarray  # students × items, in points
    items: tuple[ItemStats, ...]
    distractors: tuple[DistractorStats, ...]
    skipped: tuple[SkippedFile, ...]
    paths: tuple[Path, ...] = ()


# --- reading the class ---
def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def find_answers_files(answers_dir: Path) -> list[tuple[str, Path]]:
    """``(student, path)`` of every ``<student>.yaml`` and ``<student>/answers.yaml`` in ``answers_dir``.

    Symbolic links are listed (and then skipped with a reason by the reader), never followed.
    """
    found: list[tuple[str, Path]] = []
    for path in sorted(answers_dir.iterdir()):
        if path.name.startswith("."):
            continue
        if _is_link(path):
            found.append((path.stem if path.suffix.lower() in ANSWERS_SUFFIXES else path.name, path))
        elif path.is_file() and path.suffix.lower() in ANSWERS_SUFFIXES:
            found.append((path.stem, path))
        elif path.is_dir():
            for name in ("answers.yaml", "answers.yml"):
                if _is_link(path / name) or (path / name).is_file():
                    found.append((path.name, path / name))
                    break
    return found


def _raw_answer(raw: Mapping[str, Any], quiz: Quiz, item_id: str) -> Any:
    """A student's answer to an item: flat (``item: answer``) or in a section (``quiz: {item: answer}``)."""
    if item_id in raw:
        return raw[item_id]
    section = raw.get(quiz.id)
    if isinstance(section, Mapping) and item_id in section:
        return section[item_id]
    return None


def chosen_ids(item: SingleChoice | MultipleSelect, answer: Any) -> set[str]:
    """The ids of the choices an answer selects (unrecognised entries ignored)."""
    if isinstance(item, SingleChoice):
        entries = [answer]
    elif isinstance(answer, str):
        entries = [part for part in answer.replace(",", " ").split() if part]
    elif isinstance(answer, list):
        entries = answer
    else:
        entries = []
    return {choice.id for entry in entries if (choice := find_choice(item.choices, entry)) is not None}


def _read(path: Path, lang: str) -> tuple[dict[str, Any] | None, str | None]:
    """The answers map, or None and the reason it cannot be used (links are never followed)."""
    cap = YAML_MAX_CHARS * 4  # UTF-8 bytes of the largest text the YAML reader accepts
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(cap + 1)
        if len(data) > cap:
            raise ValueError(f"larger than {cap // (1024 * 1024)} MiB")
        text = data.decode("utf-8")
    except OSError as exc:
        if _is_link(path):
            return None, message("quiz_export", "stats.skipped.link", lang, path=path)
        reason = exc.strerror or exc
        return None, message("quiz_export", "stats.skipped.unreadable", lang, path=path, reason=reason)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, message("quiz_export", "stats.skipped.unreadable", lang, path=path, reason=exc)
    try:
        return load_answers(text, path.name), None
    except QuizValidationError as exc:
        if any(problem.text.key == "validate.answers_not_a_map" for problem in exc.problems):
            return None, message("quiz_export", "stats.skipped.not_mapping", lang, path=path)
        reason = "; ".join(" ".join(problem.render(lang).split()) for problem in exc.problems)
        return None, message("quiz_export", "stats.skipped.not_yaml", lang, path=path, reason=reason)
    except QuizError as exc:  # any other refusal of the file by the reader
        return None, message("quiz_export", "stats.skipped.not_yaml", lang, path=path, reason=exc)


# --- statistics ---
def group_size(students: int) -> int:
    """The size of the upper (and of the lower) group: 27 % of the class, rounded, at least 1."""
    return max(1, math.floor(GROUP_FRACTION * students + 0.5))


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def item_statistics(scores: np.ndarray, points: np.ndarray, names: Sequence[str]) -> list[dict[str, float]]:
    """p, upper/lower p, D and corrected point-biserial of each column of ``scores`` (students × items)."""
    count, items = scores.shape
    fractions = scores / np.where(points > 0, points, 1.0)
    totals = scores.sum(axis=1)
    # rank by total (highest first); ties broken by name so the groups are reproducible
    order = sorted(range(count), key=lambda s: (-totals[s], names[s]))
    size = group_size(count)
    upper, lower = order[:size], order[-size:]
    results = []
    for j in range(items):
        column = fractions[:, j]
        enough = count >= 2
        upper_p = float(column[upper].mean()) if enough else math.nan
        lower_p = float(column[lower].mean()) if enough else math.nan
        results.append(
            {
                "p": float(column.mean()) if count else math.nan,
                "upper_p": upper_p,
                "lower_p": lower_p,
                "discrimination": upper_p - lower_p,
                "point_biserial": _pearson(column, totals - scores[:, j]),
            }
        )
    return results


def _flags(stats: Mapping[str, float]) -> tuple[str, ...]:
    flags = []
    p, d, r = stats["p"], stats["discrimination"], stats["point_biserial"]
    if p >= VERY_EASY_FROM:
        flags.append("very_easy")
    if p <= VERY_HARD_UP_TO:
        flags.append("very_hard")
    if d < -EPSILON or r < -EPSILON:  # (a correlation of exactly 0 can come out as -1e-17)
        flags.append("negative_discrimination")  # the strong students miss it: check the key
    elif d < WEAK_DISCRIMINATION_BELOW and not math.isnan(r):
        flags.append("weak_discrimination")
    if math.isnan(r):
        flags.append("no_variance")
    return tuple(flags)


def analyse(answers_dir: Path, quizzes: Sequence[Quiz], *, lang: str) -> StatsResult:
    """Grade every answers file under ``answers_dir`` against ``quizzes`` and compute the item analysis."""
    answers_dir = Path(answers_dir)
    if not quizzes:
        raise UsageError(message("quiz_export", "stats.error.no_quizzes", lang))
    if not answers_dir.is_dir():
        raise UsageError(message("quiz_export", "stats.error.no_answers_dir", lang, path=answers_dir))
    items = [(quiz, item) for quiz in quizzes for item in quiz.items]
    known = {item.id for _, item in items} | {quiz.id for quiz in quizzes}
    students: list[str] = []
    rows: list[list[float]] = []
    raws: list[dict[str, Any]] = []
    skipped: list[SkippedFile] = []
    for student, path in find_answers_files(answers_dir):
        raw, reason = _read(path, lang)
        if raw is not None and student in students:
            reason, raw = (
                message("quiz_export", "stats.skipped.duplicate_student", lang, path=path, student=student),
                None,
            )
        if raw is not None and not known & set(raw):
            reason, raw = message("quiz_export", "stats.skipped.no_known_items", lang, path=path), None
        if raw is None:
            skipped.append(SkippedFile(str(path), reason or ""))
            continue
        row: list[float] = []
        for quiz in quizzes:
            graded = {result.id: result.score for result in grade_answers(quiz, raw).items}
            row += [graded.get(item.id, 0.0) for item in quiz.items]
        students.append(student)
        rows.append(row)
        raws.append(raw)
    if not students:
        details = " ".join(entry.reason for entry in skipped[:3])
        raise QuizError(
            f"{message('quiz_export', 'stats.error.no_students', lang, path=answers_dir)} {details}".strip()
        )

    scores = np.array(rows, dtype=float)
    points = np.array([item.points for _, item in items], dtype=float)
    computed = item_statistics(scores, points, students)
    item_stats = tuple(
        ItemStats(
            quiz_id=quiz.id,
            item_id=item.id,
            type=item.type,
            points=float(item.points),
            students=len(students),
            flags=_flags(stats),
            **stats,
        )
        for (quiz, item), stats in zip(items, computed, strict=True)
    )
    distractors = []
    for quiz, item in items:
        if not isinstance(item, SingleChoice | MultipleSelect):
            continue
        picks = [chosen_ids(item, _raw_answer(raw, quiz, item.id)) for raw in raws]
        for choice in item.choices:
            chosen = sum(choice.id in pick for pick in picks)
            fraction = chosen / len(students)
            distractors.append(
                DistractorStats(
                    quiz.id,
                    item.id,
                    choice.id,
                    choice.correct,
                    chosen,
                    fraction,
                    non_functioning=not choice.correct and fraction < NON_FUNCTIONING_BELOW,
                )
            )
    return StatsResult(tuple(students), scores, item_stats, tuple(distractors), tuple(skipped))


# --- writing ---
def _cell(value: object) -> object:
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 6)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return csv_cell(" ".join(str(part) for part in value))
    return csv_cell(value)  # student names and answers: never a formula in a spreadsheet


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """Write a CSV atomically (temporary file + ``os.replace``); NaN becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    write_atomic(path, buffer.getvalue())
    return path


def _hangul_font() -> str | None:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in HANGUL_FONTS if name in installed), None)


def draw_chart(result: StatsResult, path: Path, lang: str) -> Path:
    """Difficulty vs discrimination (one numbered point per item) and the point-biserial bars, as a PNG."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = _hangul_font()
    chart_lang = lang if lang != "ko" or font else "en"  # no Hangul font: English labels, not empty boxes
    style: dict[str, Any] = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with rc_context(style):  # type: ignore[arg-type]
        figure = Figure(figsize=(11, 5), dpi=100)
        FigureCanvasAgg(figure)
        left, right = figure.subplots(1, 2)
        numbers = range(1, len(result.items) + 1)
        p = [item.p for item in result.items]
        d = [item.discrimination for item in result.items]
        left.axhspan(
            -1,
            WEAK_DISCRIMINATION_BELOW,
            color="#f4d6d6",
            alpha=0.6,
            label=message("quiz_export", "stats.chart.weak", chart_lang),
        )
        left.scatter(p, d, color="#264653", zorder=3)
        for number, x, y in zip(numbers, p, d, strict=True):
            if not (math.isnan(x) or math.isnan(y)):
                left.annotate(str(number), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        left.set_xlim(-0.05, 1.05)
        left.set_ylim(-1.05, 1.05)
        left.set_xlabel(message("quiz_export", "stats.chart.difficulty", chart_lang))
        left.set_ylabel(message("quiz_export", "stats.chart.discrimination", chart_lang))
        left.legend(loc="lower left", fontsize=8)
        left.grid(alpha=0.3)
        r = [0.0 if math.isnan(item.point_biserial) else item.point_biserial for item in result.items]
        colours = ["#2a9d8f" if value >= WEAK_DISCRIMINATION_BELOW else "#e76f51" for value in r]
        right.bar(list(numbers), r, color=colours)
        right.axhline(0, color="black", linewidth=0.8)
        for number, item in zip(numbers, result.items, strict=True):
            if math.isnan(item.point_biserial):  # undefined (no variance): say so rather than draw a 0
                right.annotate(
                    "n/a", (number, 0), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=7
                )
        right.set_ylim(-1.05, 1.05)
        right.set_xlabel(message("quiz_export", "stats.chart.items", chart_lang))
        right.set_ylabel(message("quiz_export", "stats.chart.point_biserial", chart_lang))
        right.set_xticks(list(numbers))
        right.tick_params(axis="x", labelsize=7)
        figure.suptitle(
            message("quiz_export", "stats.chart.title", chart_lang, students=len(result.students))
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    write_atomic(path, buffer.getvalue())
    return path


def write_stats(result: StatsResult, out_dir: Path, *, lang: str) -> StatsResult:
    """Write item_analysis.csv, distractors.csv, scores.csv, item_analysis.png and (if any) skipped.csv."""
    out_dir = Path(out_dir)
    paths = [
        write_csv(
            out_dir / "item_analysis.csv",
            [
                "number",
                "quiz",
                "item",
                "type",
                "points",
                "students",
                "p",
                "upper_p",
                "lower_p",
                "discrimination",
                "point_biserial",
                "flags",
            ],
            [
                [
                    n,
                    s.quiz_id,
                    s.item_id,
                    s.type,
                    s.points,
                    s.students,
                    s.p,
                    s.upper_p,
                    s.lower_p,
                    s.discrimination,
                    s.point_biserial,
                    s.flags,
                ]
                for n, s in enumerate(result.items, start=1)
            ],
        ),
        write_csv(
            out_dir / "distractors.csv",
            ["quiz", "item", "choice", "correct", "chosen", "fraction", "non_functioning"],
            [
                [d.quiz_id, d.item_id, d.choice_id, d.correct, d.chosen, d.fraction, d.non_functioning]
                for d in result.distractors
            ],
        ),
        write_csv(
            out_dir / "scores.csv",
            ["student", *(f"{s.quiz_id}/{s.item_id}" for s in result.items), "total"],
            [
                [name, *(float(x) for x in row), float(row.sum())]
                for name, row in zip(result.students, result.scores, strict=True)
            ],
        ),
        draw_chart(result, out_dir / "item_analysis.png", lang),
    ]
    if result.skipped:
        paths.append(
            write_csv(
                out_dir / "skipped.csv", ["path", "reason"], [[s.path, s.reason] for s in result.skipped]
            )
        )
    return StatsResult(
        result.students, result.scores, result.items, result.distractors, result.skipped, tuple(paths)
    )


def run_analysis(answers_dir: Path, quizzes: Sequence[Quiz], out_dir: Path, *, lang: str) -> StatsResult:
    """Analyse the class and write every output; the result lists the paths and the skipped files."""
    return write_stats(analyse(answers_dir, quizzes, lang=lang), out_dir, lang=lang)
