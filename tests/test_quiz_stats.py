"""Item analysis on a synthetic class of 10 whose statistics are worked out by hand below."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from activation_lab.errors import QuizError, UsageError
from activation_lab.quiz import stats
from activation_lab.quiz.load import load_quiz

QUIZ_YAML = """\
schema_version: 1
id: synthetic
title: {ko: "합성 퀴즈", en: "Synthetic quiz"}
items:
  - id: q1
    type: single_choice
    prompt: {ko: "h(z)는?", en: "h(z) is?"}
    choices:
      - {id: a, text: {ko: "활성화 함수", en: "activation function"}, correct: true}
      - {id: b, text: {ko: "가중치", en: "weight"}}
      - {id: c, text: {ko: "편향", en: "bias"}}
      - {id: d, text: {ko: "출력", en: "output"}}
  - id: q2
    type: numeric
    prompt: {ko: "σ(0)은?", en: "σ(0)?"}
    answer: {value: 0.5, tolerance: {abs: 0.001}}
  - id: q3
    type: single_choice
    prompt: {ko: "ReLU(-1)은?", en: "ReLU(-1)?"}
    choices:
      - {id: a, text: "-1"}
      - {id: b, text: "0", correct: true}
      - {id: c, text: "1"}
  - id: q4
    type: multiple_select
    prompt: {ko: "참인 것은?", en: "Which are true?"}
    choices:
      - {id: a, text: "σ(0) = 0.5", correct: true}
      - {id: b, text: "step(0) = 0"}
      - {id: c, text: "tanh(0) = 0", correct: true}
"""

# Scores (1 = right) and totals:    q1 q2 q3 q4  total
#   s01  a  0.5    b  [a, c]         1  1  1  1  4
#   s02  a  "1/2"  b  "a, c"         1  1  1  1  4
#   s03  a  0.5    a  [a, c]         1  1  0  1  3
#   s04  a  1      b  [a, c]         1  0  1  1  3
#   s05  a  0.5    a  [a, c]         1  1  0  1  3
#   s06  b  0.5    a  [a, c]         0  1  0  1  2
#   s07  a  "0,5"  a  [a, c]         1  0  0  1  2   (answers in a quiz section; "0,5" is refused)
#   s08  b  2      b  [a, c]         0  0  1  1  2
#   s09  b  0      -  [a, c]         0  0  0  1  1   (q3 missing)
#   s10  c  0.5    z  [a, c]         0  1  0  1  2   ("z" is no choice)
ANSWERS = {
    "s01": {"q1": "a", "q2": 0.5, "q3": "b", "q4": ["a", "c"]},
    "s02": {"q1": "a", "q2": "1/2", "q3": "b", "q4": "a, c"},
    "s03": {"q1": "a", "q2": 0.5, "q3": "a", "q4": ["a", "c"]},
    "s04": {"q1": "a", "q2": 1, "q3": "b", "q4": ["a", "c"]},
    "s05": {"q1": "a", "q2": 0.5, "q3": "a", "q4": ["a", "c"]},
    "s06": {"q1": "b", "q2": 0.5, "q3": "a", "q4": ["a", "c"]},
    "s07": {"synthetic": {"q1": "a", "q2": "0,5", "q3": "a", "q4": ["a", "c"]}},
    "s08": {"q1": "b", "q2": 2, "q3": "b", "q4": ["a", "c"]},
    "s09": {"q1": "b", "q2": 0, "q4": ["a", "c"]},
    "s10": {"q1": "c", "q2": 0.5, "q3": "z", "q4": ["a", "c"]},
}

# Worked by hand (N = 10, groups of round(0.27·10) = 3):
# order by total, ties by name: s01 s02 s03 s04 s05 s06 s07 s08 s10 s09
#     → upper s01 s02 s03, lower s08 s10 s09.
# q1: p = 6/10; upper 3/3, lower 0/3 → D = 1. Rest scores (total − q1) 3 3 2 2 2 2 1 2 1 2, mean 2:
#     Sxy = 0.4·(1+1+0+0+0−1) + (−0.6)·(0+0−1+0) = 1.0, Sxx = 2.4, Syy = 4 → r = 1/√9.6.
# q2: p = 6/10; upper 3/3, lower 1/3 → D = 2/3. Rest 3 3 2 3 2 1 2 2 1 1: mean of rest is 2 for both the
#     right (3 3 2 2 1 1) and the wrong (3 2 2 1) → r = 0.
# q3: p = 4/10; upper 2/3, lower 1/3 → D = 1/3. Rest 3 3 3 2 3 2 2 1 1 2, mean 2.2:
#     Sxy = 0.6·(0.8+0.8−0.2−1.2) + (−0.4)·(0.8+0.8−0.2−0.2−1.2−0.2) = 0.2, Sxx = 2.4, Syy = 5.6
#     → r = 0.2/√13.44.
# q4: everyone right → p = 1, D = 0, r undefined (no variance): NaN.
EXPECTED = {
    "q1": {
        "p": 0.6,
        "upper_p": 1.0,
        "lower_p": 0.0,
        "discrimination": 1.0,
        "point_biserial": 1 / math.sqrt(9.6),
    },
    "q2": {"p": 0.6, "upper_p": 1.0, "lower_p": 1 / 3, "discrimination": 2 / 3, "point_biserial": 0.0},
    "q3": {
        "p": 0.4,
        "upper_p": 2 / 3,
        "lower_p": 1 / 3,
        "discrimination": 1 / 3,
        "point_biserial": 0.2 / math.sqrt(13.44),
    },
    "q4": {"p": 1.0, "upper_p": 1.0, "lower_p": 1.0, "discrimination": 0.0, "point_biserial": math.nan},
}
# Distractors: q1 a 6, b 3 (s06 s08 s09), c 1 (s10), d 0 → d non-functioning; q3 a 4, b 4, c 0 → c;
# q4: a 10, c 10, b 0 → b.
EXPECTED_CHOSEN = {
    ("q1", "a"): 6, ("q1", "b"): 3, ("q1", "c"): 1, ("q1", "d"): 0,
    ("q3", "a"): 4, ("q3", "b"): 4, ("q3", "c"): 0,
    ("q4", "a"): 10, ("q4", "b"): 0, ("q4", "c"): 10,
}  # fmt: skip
NON_FUNCTIONING = {("q1", "d"), ("q3", "c"), ("q4", "b")}


def _yaml(value: object) -> str:
    from io import StringIO

    from ruamel.yaml import YAML

    stream = StringIO()
    YAML().dump(value, stream)
    return stream.getvalue()


@pytest.fixture
def quiz_file(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic.yaml"
    path.write_text(QUIZ_YAML, encoding="utf-8")
    return path


@pytest.fixture
def class_dir(tmp_path: Path) -> Path:
    """The ten students (half as ``<name>.yaml``, half as ``<name>/answers.yaml``) and four unusable files."""
    folder = tmp_path / "answers"
    folder.mkdir()
    for number, (student, answers) in enumerate(ANSWERS.items()):
        if number % 2:
            (folder / student).mkdir()
            (folder / student / "answers.yaml").write_text(_yaml(answers), encoding="utf-8")
        else:
            (folder / f"{student}.yaml").write_text(_yaml(answers), encoding="utf-8")
    (folder / "broken.yaml").write_text("q1: [a, b\nq2: 0.5\n", encoding="utf-8")
    (folder / "a-list.yaml").write_text("- q1\n- q2\n", encoding="utf-8")
    (folder / "binary.yaml").write_bytes(b"q1: \xff\xfe\x00a\n")
    (folder / "stranger.yaml").write_text("other-quiz-item: 3\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not an answers file", encoding="utf-8")
    return folder


def test_hand_computed_statistics(quiz_file: Path, class_dir: Path) -> None:
    result = stats.analyse(class_dir, [load_quiz(quiz_file)], lang="en")
    assert result.students == tuple(sorted(ANSWERS))
    assert result.scores.sum(axis=1).tolist() == [4, 4, 3, 3, 3, 2, 2, 2, 1, 2]
    by_item = {item.item_id: item for item in result.items}
    for item_id, expected in EXPECTED.items():
        got = by_item[item_id]
        assert got.students == 10
        for field, value in expected.items():
            actual = getattr(got, field)
            if math.isnan(value):
                assert math.isnan(actual), (item_id, field)
            else:
                assert actual == pytest.approx(value, abs=1e-12), (item_id, field)
    assert by_item["q4"].flags == ("very_easy", "no_variance")
    assert "negative_discrimination" not in by_item["q2"].flags  # r = 0 exactly, not "negative"
    assert by_item["q1"].flags == ()


def test_distractors_and_non_functioning(quiz_file: Path, class_dir: Path) -> None:
    result = stats.analyse(class_dir, [load_quiz(quiz_file)], lang="en")
    chosen = {(d.item_id, d.choice_id): d.chosen for d in result.distractors}
    assert chosen == EXPECTED_CHOSEN
    flagged = {(d.item_id, d.choice_id) for d in result.distractors if d.non_functioning}
    assert flagged == NON_FUNCTIONING
    fractions = {(d.item_id, d.choice_id): d.fraction for d in result.distractors}
    assert fractions[("q1", "c")] == pytest.approx(0.1)  # 1 in 10: chosen by ≥ 5 %, so it works


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_unreadable_files_are_reported_and_skipped(quiz_file: Path, class_dir: Path, lang: str) -> None:
    result = stats.analyse(class_dir, [load_quiz(quiz_file)], lang=lang)
    skipped = {Path(entry.path).name: entry.reason for entry in result.skipped}
    assert set(skipped) == {"broken.yaml", "a-list.yaml", "binary.yaml", "stranger.yaml"}
    assert all(reason for reason in skipped.values())
    if lang == "ko":
        assert "건너뜁니다" in skipped["a-list.yaml"]
    else:
        assert "skipped" in skipped["binary.yaml"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_outputs_csv_and_png(quiz_file: Path, class_dir: Path, tmp_path: Path, lang: str) -> None:
    from PIL import Image

    out = tmp_path / "report"
    paths = list(stats.run_analysis(class_dir, [load_quiz(quiz_file)], out, lang=lang).paths)
    names = sorted(path.name for path in paths)
    assert names == ["distractors.csv", "item_analysis.csv", "item_analysis.png", "scores.csv", "skipped.csv"]
    with (out / "item_analysis.csv").open(encoding="utf-8") as handle:
        rows = {row["item"]: row for row in csv.DictReader(handle)}
    assert float(rows["q1"]["point_biserial"]) == pytest.approx(1 / math.sqrt(9.6), abs=1e-6)
    assert rows["q4"]["point_biserial"] == ""  # NaN is an empty cell
    assert float(rows["q3"]["discrimination"]) == pytest.approx(1 / 3, abs=1e-6)
    with (out / "distractors.csv").open(encoding="utf-8") as handle:
        flagged = {(r["item"], r["choice"]) for r in csv.DictReader(handle) if r["non_functioning"] == "true"}
    assert flagged == NON_FUNCTIONING
    with (out / "scores.csv").open(encoding="utf-8") as handle:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert totals["s01"] == 4 and totals["s09"] == 1
    with Image.open(out / "item_analysis.png") as image:
        assert image.format == "PNG"
        assert image.size == (1100, 500)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # drawn, not a blank canvas
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_cli_stats_end_to_end(quiz_file: Path, class_dir: Path, tmp_path: Path, capsys) -> None:
    from activation_lab.cli.main import main

    out = tmp_path / "cli-report"
    code = main(
        ["quiz", "stats", str(class_dir), "--quiz", str(quiz_file), "--out", str(out), "--lang", "en"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "item_analysis.csv" in printed and (out / "item_analysis.png").is_file()


@pytest.mark.parametrize(
    ("case", "error"),
    [
        pytest.param("missing-dir", UsageError, id="missing-dir"),
        pytest.param("no-quizzes", UsageError, id="no-quizzes"),
        pytest.param("nobody-readable", QuizError, id="nobody-readable"),
    ],
)
def test_error_paths(case: str, error: type, quiz_file: Path, tmp_path: Path) -> None:
    quizzes = [] if case == "no-quizzes" else [load_quiz(quiz_file)]
    folder = tmp_path / "answers"
    if case != "missing-dir":
        folder.mkdir()
        (folder / "junk.yaml").write_text(": : :\n  - [", encoding="utf-8")
    with pytest.raises(error):
        stats.analyse(folder, quizzes, lang="en")


@pytest.mark.parametrize(
    ("students", "size"),
    [
        pytest.param(1, 1, id="1"),
        pytest.param(2, 1, id="2"),
        pytest.param(10, 3, id="10"),
        pytest.param(100, 27, id="100"),
    ],
)
def test_group_size(students: int, size: int) -> None:
    assert stats.group_size(students) == size


def test_single_student_has_no_discrimination(quiz_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "solo.yaml").write_text(_yaml(ANSWERS["s01"]), encoding="utf-8")
    result = stats.analyse(folder, [load_quiz(quiz_file)], lang="en")
    assert all(math.isnan(item.discrimination) and math.isnan(item.point_biserial) for item in result.items)
    assert [item.p for item in result.items] == [1.0, 1.0, 1.0, 1.0]


def _key_answer(item) -> object:
    """The right answer to any item, written as a student would."""
    from activation_lab.quiz.model import Matching, MultipleSelect, Numeric, ShortText, SingleChoice

    if isinstance(item, SingleChoice):
        return item.correct_choice.id
    if isinstance(item, MultipleSelect):
        return sorted(item.correct_ids)
    if isinstance(item, Numeric):
        return item.answer.value
    if isinstance(item, ShortText):
        return item.accept[0].text
    if isinstance(item, Matching):
        return {pair.left.text("en"): pair.right.text("en") for pair in item.pairs}
    raise AssertionError(item)


REAL_QUIZZES = sorted((Path(__file__).resolve().parents[1] / "quizzes").glob("*.yaml"))


@pytest.mark.skipif(not REAL_QUIZZES, reason="no quizzes/ yet")
def test_real_quizzes_half_perfect_half_blank(tmp_path: Path) -> None:
    quizzes = [load_quiz(path) for path in REAL_QUIZZES]
    folder = tmp_path / "class"
    folder.mkdir()
    perfect = {item.id: _key_answer(item) for quiz in quizzes for item in quiz.items}
    for name in ("ann", "bob"):
        (folder / f"{name}.yaml").write_text(_yaml(perfect), encoding="utf-8")
    first = quizzes[0].items[0].id
    for name in ("cat", "dan"):
        (folder / f"{name}.yaml").write_text(_yaml({first: "no idea"}), encoding="utf-8")
    result = stats.analyse(folder, quizzes, lang="ko")
    assert len(result.items) == sum(len(quiz.items) for quiz in quizzes)
    for item in result.items:
        assert item.p == pytest.approx(0.5), item.item_id  # the key earns full points, a blank earns none
        assert item.discrimination == pytest.approx(1.0)
        assert item.point_biserial == pytest.approx(1.0)


def test_a_second_file_for_the_same_student_is_skipped(quiz_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dupes"
    (folder / "s01").mkdir(parents=True)
    (folder / "s01" / "answers.yaml").write_text(_yaml(ANSWERS["s01"]), encoding="utf-8")
    (folder / "s01.yaml").write_text(_yaml(ANSWERS["s09"]), encoding="utf-8")
    (folder / "s02.yaml").write_text(_yaml(ANSWERS["s02"]), encoding="utf-8")
    result = stats.analyse(folder, [load_quiz(quiz_file)], lang="en")
    assert result.students == ("s01", "s02")
    assert result.scores.sum(axis=1).tolist() == [4, 4]  # the folder's file counted, s01.yaml skipped
    assert [Path(entry.path).name for entry in result.skipped] == ["s01.yaml"]
    assert "s01" in result.skipped[0].reason
