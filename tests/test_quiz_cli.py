"""``activation-lab quiz validate|grade``: exit codes and output, through ``activation_lab.cli.main.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activation_lab.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
NEURON = ROOT / "quizzes" / "neuron.yaml"
ACTIVATIONS = ROOT / "quizzes" / "activations.yaml"

GOOD = """\
id: t
title: {ko: 제목, en: Title}
items:
  - id: q1
    type: single_choice
    prompt: {ko: 질문, en: Question}
    choices:
      - {id: a, text: A, correct: true}
      - {id: b, text: B, feedback: {ko: B는 틀림, en: B is wrong}}
  - id: q2
    type: numeric
    prompt: {ko: 질문, en: Question}
    answer: {value: 0.5, tolerance: {abs: 0.001}}
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_validate_course_quizzes_strict_exits_zero(capsys) -> None:
    assert main(["quiz", "validate", "--strict", "--lang", "en", str(NEURON), str(ACTIVATIONS)]) == 0
    out = capsys.readouterr().out
    assert "neuron.yaml: valid" in out and "activations.yaml: valid" in out


def test_validate_bad_quiz_exits_one_naming_file_line_and_field(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        GOOD.replace("answer: {value: 0.5, tolerance: {abs: 0.001}}", "anwser: 0.5"), encoding="utf-8"
    )
    assert main(["quiz", "validate", "--lang", "en", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:13: items[1].anwser: unknown field 'anwser'; did you mean 'answer'?" in err
    assert f"{bad}:10: items[1].answer: a numeric item needs 'answer'" in err
    assert "Traceback" not in err


def test_validate_broken_yaml_exits_one_with_the_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: t\ntitle: [oops\nitems: []\n", encoding="utf-8")
    assert main(["quiz", "validate", "--lang", "en", str(bad)]) == 1
    assert f"{bad}:3: not valid YAML" in capsys.readouterr().err


def test_validate_missing_file_exits_one(tmp_path: Path, capsys) -> None:
    assert main(["quiz", "validate", "--lang", "en", str(tmp_path / "none.yaml")]) == 1
    assert "none.yaml: file not found" in capsys.readouterr().err


def test_validate_in_korean(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("type: numeric", "type: numerc"), encoding="utf-8")
    assert main(["quiz", "validate", "--lang", "ko", str(bad)]) == 1
    assert "알 수 없는 문항 유형 'numerc'" in capsys.readouterr().err


def test_validate_strict_fails_on_plain_prose(tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(GOOD.replace("{ko: 제목, en: Title}", "Title"), encoding="utf-8")
    assert main(["quiz", "validate", "--lang", "en", str(plain)]) == 0
    assert main(["quiz", "validate", "--strict", "--lang", "en", str(plain)]) == 1
    assert f"{plain}:2: title:" in capsys.readouterr().err


def test_validate_two_files_sharing_an_item_id_fails(good: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(GOOD.replace("id: t", "id: u"), encoding="utf-8")
    assert main(["quiz", "validate", "--lang", "en", str(good), str(other)]) == 1
    assert "item id 'q1' is also used at" in capsys.readouterr().err


def test_grade_json_exact_shape(good: Path, tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: b\nq2: '½'\n", encoding="utf-8")
    assert main(["quiz", "grade", str(good), str(answers), "--format", "json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "score": 1.0,
        "max_score": 2.0,
        "items": [
            {
                "id": "q1",
                "score": 0.0,
                "max_score": 1.0,
                "feedback": "Not correct: you chose 'B'. B is wrong",
            },
            {"id": "q2", "score": 1.0, "max_score": 1.0, "feedback": "Correct."},
        ],
    }


def test_grade_table(good: Path, tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: a\n", encoding="utf-8")
    assert main(["quiz", "grade", str(good), str(answers), "--format", "table", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "q1" in out and "Total: 1 / 2" in out


def test_grade_bad_answers_exits_one_with_the_line(good: Path, tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("- q1\n- q2\n", encoding="utf-8")
    assert main(["quiz", "grade", str(good), str(answers), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert f"{answers}:1: answers must be a map" in err and "Traceback" not in err


def test_grade_missing_answers_file_is_a_usage_error(good: Path, tmp_path: Path, capsys) -> None:
    assert main(["quiz", "grade", str(good), str(tmp_path / "none.yaml"), "--lang", "en"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_grade_with_a_broken_quiz_exits_one(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: t\n", encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: a\n", encoding="utf-8")
    assert main(["quiz", "grade", str(bad), str(answers), "--lang", "en"]) == 1
    assert f"{bad}:1:" in capsys.readouterr().err


def test_unknown_quiz_subcommand_is_a_usage_error(capsys) -> None:
    assert main(["quiz", "frobnicate"]) == 2


def test_validate_with_warnings_only_exits_zero(tmp_path: Path, capsys) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text(GOOD.replace("{ko: 제목, en: Title}", "{ko: 제목}"), encoding="utf-8")
    assert main(["quiz", "validate", "--lang", "en", str(partial)]) == 0
    captured = capsys.readouterr()
    assert f"{partial}:2: title: warning: missing translation: en" in captured.err
    assert "valid" in captured.out


def test_grade_table_shows_brackets_in_feedback_literally(tmp_path: Path, capsys) -> None:
    quiz = tmp_path / "brackets.yaml"
    quiz.write_text(GOOD.replace("B is wrong", '"[b]not bold[/b] and [0, 1]"'), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: b\n", encoding="utf-8")
    assert main(["quiz", "grade", str(quiz), str(answers), "--format", "table", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "[b]not" in out and "bold[/b]" in out  # markup in feedback is printed, not interpreted
