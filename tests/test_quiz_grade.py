"""Grading every item type and scoring mode; garbage answers score 0 with a message, never a crash."""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

import pytest
from rendered import rendered

from activation_lab.errors import QuizError
from activation_lab.quiz.grade import (
    ANSWERS_ITEM_ID,
    grade_answers,
    grade_item,
    grade_submission_answers,
    result_as_dict,
)
from activation_lab.quiz.load import check_quiz_text
from activation_lab.quiz.model import Quiz

QUIZ_YAML = textwrap.dedent(
    """\
    schema_version: 1
    id: neuron-parts
    title: {ko: "뉴런의 구성 요소", en: "Parts of a neuron"}
    items:
      - id: sigmoid-at-zero
        type: numeric
        points: 2
        prompt: {ko: "σ(0)의 값은?", en: "What is σ(0)?"}
        answer: {value: 0.5, tolerance: {abs: 0.001}}
        wrong:
          - {value: 0.25, feedback: {ko: "그건 σ'(0)", en: "that is sigma-prime"}}
      - id: rel-tolerance
        type: numeric
        prompt: P
        answer: {value: 200, tolerance: {rel: 0.01}}
      - id: exact
        type: numeric
        prompt: P
        answer: {expr: "1/3"}
      - id: h-is-called
        type: single_choice
        prompt: {ko: "h(z)는 무엇인가?", en: "What is h(z)?"}
        explanation: {ko: "h는 활성화 함수", en: "h is the activation"}
        choices:
          - id: a
            text: {ko: "가중치", en: "weight"}
            feedback: {ko: "가중치는 w입니다", en: "the weight is w"}
          - {id: b, text: {ko: "활성화 함수", en: "activation function"}, correct: true}
          - {id: c, text: {ko: "편향", en: "bias"}}
      - id: all-or-nothing
        type: multiple_select
        prompt: P
        choices:
          - {id: a, text: A, correct: true}
          - {id: b, text: B, correct: true}
          - {id: c, text: C, feedback: {ko: "C는 거짓", en: "C is false"}}
          - {id: d, text: D}
      - id: each-answer
        type: multiple_select
        scoring: each_answer
        points: 4
        prompt: P
        choices:
          - {id: a, text: A, correct: true}
          - {id: b, text: B, correct: true}
          - {id: c, text: C}
          - {id: d, text: D}
      - id: name-of-z
        type: short_text
        prompt: P
        accept: [{text: "순입력", variants: ["순 입력"]}, {text: "net input"}]
        wrong: [{text: "output", feedback: {ko: "출력은 y", en: "the output is y"}}]
      - id: c2f-parts
        type: matching
        points: 3
        prompt: P
        pairs:
          - {left: "x1", right: "C"}
          - {left: "w1", right: "9/5", feedback: {ko: "5/9는 반대 방향", en: "5/9 is the other direction"}}
          - {left: {ko: "편향", en: "bias"}, right: "32"}
        distractors: ["5/9"]
    """
)


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    loaded, problems = check_quiz_text(QUIZ_YAML, "neuron.yaml")
    assert loaded is not None, [p.render("en") for p in problems]
    return loaded


def _grade(quiz: Quiz, item_id: str, answer: object, lang: str = "en"):
    return rendered(grade_item(quiz.item(item_id), answer), lang)


# -- numeric -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(0.5, id="float"),
        pytest.param("1/2", id="fraction"),
        pytest.param("½", id="vulgar"),
        pytest.param("０.５", id="fullwidth"),
        pytest.param(" 0.50 ", id="spaces"),
        pytest.param("5e-1", id="scientific"),
        pytest.param(0.5009, id="inside-abs-tolerance"),
        pytest.param("0.4991", id="inside-abs-tolerance-below"),
    ],
)
def test_numeric_accepts_every_spelling_of_the_key(quiz: Quiz, answer: object) -> None:
    result = _grade(quiz, "sigmoid-at-zero", answer)
    assert (result.score, result.max_score) == (2.0, 2.0)
    assert result.feedback.startswith("Correct")


@pytest.mark.parametrize(
    ("item_id", "answer", "score"),
    [
        pytest.param("sigmoid-at-zero", 0.502, 0.0, id="outside-abs-tolerance"),
        pytest.param("sigmoid-at-zero", "-0.5", 0.0, id="wrong-sign"),
        pytest.param("rel-tolerance", 201.9, 1.0, id="inside-rel-tolerance"),
        pytest.param("rel-tolerance", 202.1, 0.0, id="outside-rel-tolerance"),
        pytest.param("exact", "1/3", 1.0, id="exact-fraction"),
        pytest.param("exact", 0.3333333333333333, 1.0, id="exact-float"),
        pytest.param("exact", 0.3333, 0.0, id="exact-needs-exact"),
    ],
)
def test_numeric_tolerance(quiz: Quiz, item_id: str, answer: object, score: float) -> None:
    assert _grade(quiz, item_id, answer).score == score


def test_numeric_known_wrong_value_names_the_misconception(quiz: Quiz) -> None:
    result = _grade(quiz, "sigmoid-at-zero", "1/4")
    assert result.score == 0.0 and "sigma-prime" in result.feedback
    assert "그건 σ'(0)" in _grade(quiz, "sigmoid-at-zero", 0.25, "ko").feedback


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        pytest.param("0,5", "comma", id="decimal-comma"),
        pytest.param("half", "not a number we can read", id="word"),
        pytest.param([0.5], "Expected a number", id="list"),
        pytest.param({"v": 1}, "Expected a number", id="map"),
        pytest.param(True, "Expected a number", id="bool"),
        pytest.param("1/0", "divides by zero", id="zero-denominator"),
        pytest.param("", "empty", id="empty"),
        pytest.param(None, "No answer", id="null"),
    ],
)
def test_numeric_garbage_scores_zero_with_a_message(quiz: Quiz, answer: object, fragment: str) -> None:
    result = _grade(quiz, "sigmoid-at-zero", answer)
    assert result.score == 0.0 and result.max_score == 2.0
    assert fragment in result.feedback


# -- single choice ----------------------------------------------------------------------------------------


def test_single_choice_right(quiz: Quiz) -> None:
    result = _grade(quiz, "h-is-called", "b")
    assert result.score == 1.0
    assert "h is the activation" in result.feedback  # the explanation is always shown


def test_single_choice_wrong_shows_that_choices_feedback(quiz: Quiz) -> None:
    result = _grade(quiz, "h-is-called", "a")
    assert result.score == 0.0
    assert (
        "'weight'" in result.feedback
        and "(a)" not in result.feedback
        and "the weight is w" in result.feedback
    )
    korean = _grade(quiz, "h-is-called", "a", "ko")
    assert "가중치는 w입니다" in korean.feedback and "h는 활성화 함수" in korean.feedback


def test_single_choice_by_choice_text_in_either_language(quiz: Quiz) -> None:
    assert _grade(quiz, "h-is-called", "Activation  Function").score == 1.0
    assert _grade(quiz, "h-is-called", "활성화 함수").score == 1.0


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        pytest.param("z", "not a choice", id="unknown-id"),
        pytest.param(["b"], "Expected one choice id", id="list"),
        pytest.param({"b": 1}, "Expected one choice id", id="map"),
        pytest.param(True, "Expected one choice id", id="bool"),
        pytest.param(3, "not a choice", id="number"),
    ],
)
def test_single_choice_garbage(quiz: Quiz, answer: object, fragment: str) -> None:
    result = _grade(quiz, "h-is-called", answer)
    assert result.score == 0.0 and fragment in result.feedback


# -- multiple select ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param(["a", "b"], 1.0, id="exact-set"),
        pytest.param(["b", "a", "a"], 1.0, id="order-and-duplicates-ignored"),
        pytest.param("a, b", 1.0, id="comma-separated-string"),
        pytest.param(["a"], 0.0, id="missing-one"),
        pytest.param(["a", "b", "c"], 0.0, id="one-extra"),
        pytest.param([], 0.0, id="empty"),
        pytest.param(["a", "b", "zz"], 0.0, id="unknown-extra"),
    ],
)
def test_multiple_select_all_or_nothing(quiz: Quiz, answer: object, score: float) -> None:
    assert _grade(quiz, "all-or-nothing", answer).score == score


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param(["a", "b"], 4.0, id="all-four-judged-right"),
        pytest.param(["a"], 3.0, id="missed-one-correct"),
        pytest.param(["a", "b", "c"], 3.0, id="one-wrong-selected"),
        pytest.param(["a", "c"], 2.0, id="half"),
        pytest.param([], 2.0, id="nothing-selected-edx-style"),
        pytest.param(["c", "d"], 0.0, id="all-wrong-floor-zero"),
        pytest.param(["a", "b", "c", "d"], 2.0, id="everything-selected"),
        pytest.param(["a", "b", "nope"], 4.0, id="unknown-id-ignored"),
    ],
)
def test_multiple_select_each_answer(quiz: Quiz, answer: object, score: float) -> None:
    assert _grade(quiz, "each-answer", answer).score == score


def test_multiple_select_feedback_names_wrong_and_missed_choices(quiz: Quiz) -> None:
    result = _grade(quiz, "all-or-nothing", ["a", "c"])
    assert "You selected 'C'" in result.feedback and "C is false" in result.feedback
    assert "You did not select 'B'" in result.feedback


def test_multiple_select_reports_unknown_ids(quiz: Quiz) -> None:
    assert "zz" in _grade(quiz, "each-answer", ["a", "zz"]).feedback


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"a": True}, id="map"),
        pytest.param(7.5, id="number"),
        pytest.param([["a"]], id="nested-list"),
    ],
)
def test_multiple_select_wrong_type(quiz: Quiz, answer: object) -> None:
    result = _grade(quiz, "each-answer", answer)
    assert result.score == 0.0 and "Expected a list of choice ids" in result.feedback


# -- short text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param("순입력", 1.0, id="korean"),
        pytest.param(unicodedata.normalize("NFD", "순입력"), 1.0, id="decomposed-hangul"),
        pytest.param("순 입력", 1.0, id="variant"),
        pytest.param("  순   입력 ", 1.0, id="variant-extra-spaces"),
        pytest.param("NET INPUT", 1.0, id="case"),
        pytest.param("ｎｅｔ　ｉｎｐｕｔ", 1.0, id="fullwidth"),
        pytest.param("net-input", 0.0, id="hyphen-not-listed"),
        pytest.param("출력", 0.0, id="wrong"),
    ],
)
def test_short_text(quiz: Quiz, answer: str, score: float) -> None:
    assert _grade(quiz, "name-of-z", answer).score == score


def test_short_text_known_wrong_answer_has_feedback(quiz: Quiz) -> None:
    result = _grade(quiz, "name-of-z", "Output")
    assert result.score == 0.0 and "the output is y" in result.feedback


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(["net input"], id="list"),
        pytest.param({"a": 1}, id="map"),
        pytest.param(False, id="bool"),
    ],
)
def test_short_text_wrong_type(quiz: Quiz, answer: object) -> None:
    result = _grade(quiz, "name-of-z", answer)
    assert result.score == 0.0 and "Expected a short text" in result.feedback


def test_short_text_blank_is_no_answer(quiz: Quiz) -> None:
    assert "No answer" in _grade(quiz, "name-of-z", "   ").feedback


# -- matching ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param({"x1": "C", "w1": "9/5", "bias": "32"}, 3.0, id="all-right"),
        pytest.param({"x1": "c", "w1": "1.8", "편향": 32}, 3.0, id="case-number-and-korean-left"),
        pytest.param({"x1": "C", "w1": "5/9", "bias": "32"}, 2.0, id="distractor-chosen"),
        pytest.param({"x1": "32", "w1": "C", "bias": "9/5"}, 0.0, id="all-swapped"),
        pytest.param({"x1": "C"}, 1.0, id="one-pair-given"),
        pytest.param({"x1": "C", "w1": "9/5", "bias": "32", "zz": "1"}, 3.0, id="unknown-left-ignored"),
        pytest.param({}, 0.0, id="empty-map"),
    ],
)
def test_matching_per_pair_credit(quiz: Quiz, answer: dict, score: float) -> None:
    assert _grade(quiz, "c2f-parts", answer).score == pytest.approx(score)


def test_matching_feedback(quiz: Quiz) -> None:
    result = _grade(quiz, "c2f-parts", {"x1": "C", "w1": "5/9", "zz": 1})
    assert "'5/9' matches nothing" in result.feedback and "5/9 is the other direction" in result.feedback
    assert "No match given for 'bias'" in result.feedback and "zz" in result.feedback
    assert "1 of 3 pairs" in result.feedback


@pytest.mark.parametrize("answer", [pytest.param(["C", "9/5"], id="list"), pytest.param("C", id="string")])
def test_matching_wrong_type(quiz: Quiz, answer: object) -> None:
    result = _grade(quiz, "c2f-parts", answer)
    assert result.score == 0.0 and "Expected a map" in result.feedback


# -- whole quiz ---------------------------------------------------------------------------------------------

PERFECT = """\
sigmoid-at-zero: "½"
rel-tolerance: 200
exact: 1/3
h-is-called: b
all-or-nothing: [a, b]
each-answer: [a, b]
name-of-z: 순 입력
c2f-parts: {x1: C, w1: 9/5, bias: 32}
"""


def test_grade_answers_full_marks_and_json_shape(quiz: Quiz) -> None:
    result = grade_answers(quiz, PERFECT)
    assert (result.score, result.max_score) == (14.0, 14.0)
    shaped = result_as_dict(result, "en")
    assert list(shaped) == ["score", "max_score", "items"]
    assert [list(item) for item in shaped["items"]] == [["id", "score", "max_score", "feedback"]] * 8
    assert [item["id"] for item in shaped["items"]] == [item.id for item in quiz.items]


def test_missing_items_score_zero_with_a_message(quiz: Quiz) -> None:
    result = rendered(grade_answers(quiz, "h-is-called: b\n"), "en")
    assert result.score == 1.0 and result.max_score == 14.0
    assert sum("No answer" in item.feedback for item in result.items) == 7


def test_answers_nested_under_the_quiz_id(quiz: Quiz) -> None:
    nested = "neuron-parts:\n" + textwrap.indent(PERFECT, "  ")
    assert rendered(grade_answers(quiz, nested), "en").score == 14.0


def test_unknown_answer_keys_are_reported_with_did_you_mean(quiz: Quiz) -> None:
    result = rendered(grade_answers(quiz, "h-is-caled: b\n"), "en")
    extra = result.items[-1]
    assert (extra.id, extra.score, extra.max_score) == ("h-is-caled", 0.0, 0.0)
    assert "did you mean 'h-is-called'?" in extra.feedback


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("- a\n- b\n", "answers.yaml:1: answers must be a map", id="a-list"),
        pytest.param("just a string\n", "answers.yaml:1: answers must be a map", id="a-string"),
        pytest.param("h-is-called: [b\nx: 1\n", "answers.yaml:2: not valid YAML", id="broken-yaml"),
        pytest.param("h-is-called: a\nh-is-called: b\n", "answers.yaml:2: duplicate key", id="duplicate-key"),
    ],
)
def test_answers_file_that_is_not_a_yaml_map_is_a_quiz_error_with_a_line(
    quiz: Quiz, text: str, fragment: str
):
    with pytest.raises(QuizError) as caught:
        rendered(grade_answers(quiz, text), "en")
    assert str(caught.value).startswith(fragment)


def test_empty_answers_file_means_no_answers(quiz: Quiz) -> None:
    assert rendered(grade_answers(quiz, ""), "en").score == 0.0
    assert rendered(grade_answers(quiz, "# nothing yet\n"), "en").max_score == 14.0


def test_answers_with_a_byte_order_mark(quiz: Quiz) -> None:
    assert rendered(grade_answers(quiz, "\ufeffh-is-called: b\n"), "en").score == 1.0


def test_scores_are_rounded_not_float_noise(quiz: Quiz) -> None:
    one_third = grade_item(quiz.item("c2f-parts"), {"x1": "C"})
    assert one_third.score == 1.0
    result = rendered(grade_answers(quiz, "each-answer: [a]\nall-or-nothing: [a, b]\n"), "en")
    assert result.score == 4.0


# -- course-wide answers for the grading engine -------------------------------------------------------------


def _course(tmp_path: Path) -> Path:
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "neuron.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    other = textwrap.dedent(
        """\
        id: activations
        title: T
        items:
          - {id: relu-zero, type: numeric, prompt: P, answer: 0}
        """
    )
    (folder / "activations.yaml").write_text(other, encoding="utf-8")
    return folder


def test_submission_answers_flat_map_over_all_quizzes(tmp_path: Path) -> None:
    result = rendered(grade_submission_answers(_course(tmp_path), PERFECT + "relu-zero: 0\n"), "en")
    assert (result.score, result.max_score) == (15.0, 15.0)
    assert result.items[0].id == "relu-zero"  # quizzes in file-name order


def test_submission_answers_by_quiz_id_and_mixed(tmp_path: Path) -> None:
    text = "neuron-parts:\n" + textwrap.indent(PERFECT, "  ") + "relu-zero: '0'\nactivations: {nope: 1}\n"
    result = rendered(grade_submission_answers(_course(tmp_path), text), "en")
    assert result.score == 15.0
    assert result.items[-1].id == "activations.nope" and result.items[-1].max_score == 0.0


def test_submission_answers_unreadable_scores_zero_with_the_error_not_a_crash(tmp_path: Path) -> None:
    result = rendered(grade_submission_answers(_course(tmp_path), "relu-zero: [0\n"), "ko")
    assert result.score == 0.0 and result.max_score == 15.0
    first = result.items[0]
    assert first.id == ANSWERS_ITEM_ID and first.max_score == 0.0
    assert "answers.yaml:" in first.feedback and "answers.yaml을 읽을 수 없어" in first.feedback


def test_submission_answers_accepts_loaded_quizzes(quiz: Quiz) -> None:
    result = rendered(grade_submission_answers([quiz], "h-is-called: b\n"), "en")
    assert result.score == 1.0 and result.quiz_id == "neuron-parts"
