"""``activation-lab quiz take``, driven through a pseudo-terminal with pexpect, plus its shuffling rules."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest
from ruamel.yaml import YAML

from activation_lab.quiz.load import check_quiz_text
from activation_lab.quiz.model import Matching, Quiz, SingleChoice
from activation_lab.quiz.take import choice_order, right_order, shuffled

QUIZ = textwrap.dedent(
    """\
    id: mini
    title: {ko: 작은 퀴즈, en: Mini quiz}
    items:
      - id: sc
        type: single_choice
        prompt: {ko: "h(z)는?", en: "What is h(z)?"}
        choices:
          - {id: a, text: {ko: 가중치, en: weight}}
          - {id: b, text: {ko: 활성화 함수, en: activation function}, correct: true}
          - {id: c, text: {ko: 편향, en: bias}}
          - {id: d, text: {ko: 출력, en: output}}
      - id: ms
        type: multiple_select
        prompt: {ko: "옳은 것은?", en: "Which are true?"}
        choices:
          - {id: a, text: {ko: "σ(0) = 1/2", en: "sigma(0) = 1/2"}, correct: true}
          - {id: b, text: {ko: "tanh(0) = 0", en: "tanh(0) = 0"}, correct: true}
          - {id: c, text: {ko: "relu(-1) = -1", en: "relu(-1) = -1"}}
      - id: num
        type: numeric
        prompt: {ko: "σ(0)은?", en: "sigma(0)?"}
        answer: {value: 0.5, tolerance: {abs: 0.001}}
      - id: st
        type: short_text
        prompt: {ko: "z의 이름은?", en: "Name of z?"}
        accept: [{text: net input}, {text: 순입력}]
      - id: mt
        type: matching
        prompt: {ko: "연결하세요", en: "Match them"}
        pairs: [{left: x1, right: C}, {left: w1, right: 9/5}]
        distractors: ["5/9"]
    """
)
STUDENT = "20261234"


@pytest.fixture
def quiz_file(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(QUIZ, encoding="utf-8")
    return path


def _spawn(quiz_file: Path, out: Path, *extra: str) -> pexpect.spawn:
    env = dict(os.environ, TERM="dumb", NO_COLOR="1", COLUMNS="200", LINES="50", PYTHONIOENCODING="utf-8")
    args = [
        "-m",
        "activation_lab",
        "quiz",
        "take",
        str(quiz_file),
        "--student",
        STUDENT,
        "--out",
        str(out),
        *extra,
    ]
    return pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))


def _positions(text: str) -> dict[str, str]:
    """Displayed ``N) text`` lines → {text: N}."""
    return {
        match.group(2).strip(): match.group(1) for match in re.finditer(r"^\s*(\d+)\) (.+?)\s*$", text, re.M)
    }


def _read_yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _answer_everything_right(child: pexpect.spawn, *, with_mistakes: bool) -> None:
    child.expect(r"Your choice \(1-4\):")
    shown = _positions(child.before)
    if with_mistakes:
        child.sendline("9")  # out of range: asked again
        child.expect("Please type one number from 1 to 4")
        child.expect(r"Your choice \(1-4\):")
        child.sendline("b")  # a letter, not a position: asked again
        child.expect(r"Your choice \(1-4\):")
    child.sendline(shown["activation function"])
    child.expect(r"Your choices, e\.g\. 1,3")
    shown = _positions(child.before)
    if with_mistakes:
        child.sendline("1, 7")
        child.expect("Please type numbers from 1 to 3")
        child.expect(r"Your choices, e\.g\. 1,3")
    child.sendline(f"{shown['tanh(0) = 0']}, {shown['sigma(0) = 1/2']}")
    child.expect(r"Your number")
    if with_mistakes:
        child.sendline("0,5")  # decimal comma: explained and asked again
        child.expect("has a comma")
        child.expect(r"Your number")
    child.sendline("½")
    child.expect("Your answer:")
    child.sendline("Net Input")
    child.expect("'x1' matches")
    shown = _positions(child.before)
    child.sendline(shown["C"])
    child.expect("'w1' matches")
    child.sendline(shown["9/5"])


def test_take_writes_real_ids_and_shows_the_score(quiz_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    child = _spawn(quiz_file, out, "--lang", "en")
    _answer_everything_right(child, with_mistakes=True)
    child.expect("Saved 5 of 5 answers")
    child.expect(r"Score: 5 / 5")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert _read_yaml(out) == {
        "sc": "b",
        "ms": ["a", "b"],
        "num": "½",
        "st": "Net Input",
        "mt": {"x1": "C", "w1": "9/5"},
    }


def test_exam_mode_shows_no_feedback_or_score(quiz_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    child = _spawn(quiz_file, out, "--lang", "en", "--exam")
    child.expect("Exam mode")
    _answer_everything_right(child, with_mistakes=False)
    child.expect("Saved 5 of 5 answers")
    rest = child.read()
    child.close()
    assert child.exitstatus == 0
    assert "Score" not in rest and "Correct" not in rest
    assert _read_yaml(out)["sc"] == "b"


def test_enter_skips_after_a_confirmation_and_skipped_items_are_not_written(
    quiz_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "answers.yaml"
    child = _spawn(quiz_file, out, "--lang", "ko")
    child.expect(r"답 \(1-4\):")
    child.sendline("")
    child.expect("건너뛸까요")
    child.sendline("")  # no: asked the same question again
    child.expect(r"답 \(1-4\):")
    child.sendline("")
    child.expect("건너뛸까요")
    child.sendline("y")
    child.expect("건너뛰었습니다")
    child.expect(r"답을 모두")
    child.sendline("-")  # explicitly none
    for _ in range(2):
        child.expect(r"(숫자|답:)")
        child.sendline("")
        child.expect("건너뛸까요")
        child.sendline("y")
    child.expect("'x1'의 짝")
    child.sendline("")
    child.expect("'w1'의 짝")
    child.sendline("")
    child.expect("건너뛸까요")
    child.sendline("y")
    child.expect("중 1개를")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert _read_yaml(out) == {"ms": []}


@pytest.mark.parametrize("stop", [pytest.param("ctrl-c", id="ctrl-c"), pytest.param("ctrl-d", id="ctrl-d")])
def test_interrupting_loses_nothing_and_the_same_command_resumes(
    quiz_file: Path, tmp_path: Path, stop: str
) -> None:
    out = tmp_path / "answers.yaml"
    out.write_text("other-quiz-item: 3\n", encoding="utf-8")
    child = _spawn(quiz_file, out, "--lang", "en")
    child.expect(r"Your choice \(1-4\):")
    shown = _positions(child.before)
    child.sendline(shown["activation function"])
    child.expect(r"Your choices")
    if stop == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect("1 answers given so far are saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _read_yaml(out) == {"other-quiz-item": 3, "sc": "b"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".answers.yaml")]  # no temporary left

    again = _spawn(quiz_file, out, "--lang", "en", "--exam")
    again.expect("1 of 5 questions already have an answer")
    again.expect(r"Question 2/5")  # resumed at the first unanswered question
    again.expect(r"Your choices")
    again.sendline("-")
    for _ in range(2):
        again.expect(r"(Your number|Your answer:)")
        again.sendline("")
        again.expect("Skip this question")
        again.sendline("y")
    again.expect("'x1' matches")
    again.sendintr()
    again.expect(pexpect.EOF)
    again.close()
    assert _read_yaml(out) == {"other-quiz-item": 3, "sc": "b", "ms": []}


def test_back_goes_to_the_previous_question_and_keeps_or_changes_its_answer(
    quiz_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "answers.yaml"
    child = _spawn(quiz_file, out, "--lang", "en")
    child.expect(r"Your choice \(1-4\):")
    shown = _positions(child.before)
    child.sendline(shown["weight"])
    child.expect(r"Your choices")
    child.sendline("<")  # back to question 1, which shows the answer given
    child.expect(r"Question 1/5")
    child.expect("Your answer so far: a")
    child.expect(r"Your choice \(1-4\):")
    child.sendline(shown["activation function"])  # changed
    child.expect(r"Your choices")
    child.sendline("<")
    child.expect(r"Your choice \(1-4\):")
    child.sendline("")  # Enter keeps the answer, without asking to skip
    child.expect(r"Question 2/5")
    child.expect(r"Your choices")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert _read_yaml(out) == {"sc": "b"}


def test_result_rows_are_numbered_as_the_questions_were_shown(quiz_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    child = _spawn(quiz_file, out, "--lang", "en")
    _answer_everything_right(child, with_mistakes=False)
    child.expect(r"Score: 5 / 5")
    table = child.before
    child.expect(pexpect.EOF)
    child.close()
    rows = re.findall(r"^\W*(\d)\s*\W\s*1 / 1", table, re.M)
    assert rows == ["1", "2", "3", "4", "5"], table
    assert " sc " not in table and " mt " not in table  # our ids are not what the student saw


def test_answers_of_other_quizzes_in_the_file_are_kept(quiz_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    out.write_text("sigmoid-at-zero: 0.5\n", encoding="utf-8")
    child = _spawn(quiz_file, out, "--lang", "en", "--exam")
    _answer_everything_right(child, with_mistakes=False)
    child.expect(pexpect.EOF)
    child.close()
    written = _read_yaml(out)
    assert written["sigmoid-at-zero"] == 0.5 and written["sc"] == "b"


def test_an_unreadable_answers_file_is_refused_before_any_question(quiz_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.yaml"
    out.write_text("- not\n- a map\n", encoding="utf-8")
    child = _spawn(quiz_file, out, "--lang", "en")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "answers must be a map" in child.before and "Question" not in child.before


# -- the shuffle ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    loaded, problems = check_quiz_text(QUIZ, "mini.yaml")
    assert loaded is not None, problems
    return loaded


def test_same_student_same_order(quiz: Quiz) -> None:
    item = quiz.item("sc")
    assert isinstance(item, SingleChoice)
    assert [c.id for c in choice_order(quiz, item, "alice")] == [
        c.id for c in choice_order(quiz, item, "alice")
    ]


def test_order_depends_on_the_student_and_is_a_permutation(quiz: Quiz) -> None:
    item = quiz.item("sc")
    assert isinstance(item, SingleChoice)
    orders = {tuple(c.id for c in choice_order(quiz, item, f"student-{n}")) for n in range(40)}
    assert len(orders) > 5  # 24 permutations exist; 40 students see many of them
    assert all(sorted(order) == ["a", "b", "c", "d"] for order in orders)


def test_matching_rights_are_shuffled_reproducibly(quiz: Quiz) -> None:
    item = quiz.item("mt")
    assert isinstance(item, Matching)
    first = [str(r) for r in right_order(quiz, item, "bob")]
    assert first == [str(r) for r in right_order(quiz, item, "bob")]
    assert sorted(first) == ["5/9", "9/5", "C"]


def test_shuffle_false_keeps_file_order(quiz: Quiz) -> None:
    item = quiz.item("sc")
    assert isinstance(item, SingleChoice)
    fixed = SingleChoice(id=item.id, prompt=item.prompt, choices=item.choices, shuffle=False)
    assert [c.id for c in choice_order(quiz, fixed, "anyone")] == ["a", "b", "c", "d"]


def test_shuffled_is_stable_across_processes() -> None:
    # the seed is a SHA-256 of the ids, not Python's per-process salted hash()
    assert shuffled(list(range(6)), "q", "i", "s") == shuffled(list(range(6)), "q", "i", "s")
    assert shuffled(list(range(10)), "q", "i", "s") == [int(x) for x in _reference_order()]


def _reference_order() -> list[str]:
    import subprocess

    code = "from activation_lab.quiz.take import shuffled; print(*shuffled(list(range(10)), 'q', 'i', 's'))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return output.split()
