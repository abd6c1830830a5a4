"""Quiz validation: every error path names file, line and field in one line; all problems are reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from activation_lab.errors import QuizError
from activation_lab.quiz.load import check_quiz_text, load_quiz, load_quizzes
from activation_lab.quiz.model import (
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    ShortText,
    SingleChoice,
)

HEAD = """\
schema_version: 1
id: t
title: {ko: 제목, en: Title}
items:
"""  # items start on line 5

GOOD_ITEM = """\
  - id: q1
    type: single_choice
    prompt: {ko: 질문, en: Question}
    choices:
      - {id: a, text: A, correct: true}
      - {id: b, text: B}
"""


def _problems(text: str, *, strict: bool = False, name: str = "quizzes/bad.yaml"):
    quiz, problems = check_quiz_text(textwrap.dedent(text), name, strict=strict)
    return (
        quiz,
        [p for p in problems if p.severity == "error"],
        [p for p in problems if p.severity == "warning"],
    )


# (yaml, line, field, message key); the yaml is HEAD + the text unless it starts with "!full\n"
BAD_QUIZZES = [
    pytest.param("!full\nid: t\ntitle: [unclosed\nitems: []\n", 3, "", "bad_yaml", id="broken-yaml"),
    pytest.param("!full\nid: t\nid: u\ntitle: T\n", 2, "", "duplicate_key", id="duplicate-yaml-key"),
    pytest.param("!full\n", 1, "", "empty_file", id="empty-file"),
    pytest.param("!full\n- just\n- a list\n", 1, "", "expected_map", id="not-a-map"),
    pytest.param(
        "!full\nschema_version: 2\nid: t\ntitle: T\nitems: []\n",
        1,
        "schema_version",
        "bad_schema_version",
        id="schema-version",
    ),
    pytest.param(
        "!full\nid: t\ntitle: T\nitmes: []\n", 3, "itmes", "unknown_field_did_you_mean", id="misspelt-items"
    ),
    pytest.param("!full\nid: t\ntitle: T\n", 1, "", "missing_field", id="no-items"),
    pytest.param("!full\nid: t\ntitle: T\nitems: []\n", 3, "items", "empty_list", id="empty-items"),
    pytest.param(
        "!full\nid: t\ntitle: T\nitems: {a: 1}\n", 3, "items", "expected_list", id="items-not-a-list"
    ),
    pytest.param("!full\nid: 'bad id!'\ntitle: T\nitems: []\n", 1, "id", "bad_id", id="bad-quiz-id"),
    pytest.param("!full\ntitle: T\nitems: []\n", 1, "", "missing_field", id="no-quiz-id"),
    pytest.param(GOOD_ITEM + GOOD_ITEM, 11, "items[1].id", "duplicate_item_id", id="duplicate-item-id"),
    pytest.param(
        """\
  - id: q1
    type: single_choise
    prompt: P
""",
        6,
        "items[0].type",
        "unknown_type_did_you_mean",
        id="misspelt-type",
    ),
    pytest.param(
        "  - id: q1\n    type: essay\n    prompt: P\n", 6, "items[0].type", "unknown_type", id="unknown-type"
    ),
    pytest.param("  - id: q1\n    prompt: P\n", 5, "items[0]", "missing_field", id="no-type"),
    pytest.param("  - just a string\n", 5, "items[0]", "expected_map", id="item-not-a-map"),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choises:
      - {id: a, text: A, correct: true}
""",
        8,
        "items[0].choises",
        "unknown_field_did_you_mean",
        id="misspelt-choices",
    ),
    pytest.param(
        """\
  - id: q1
    type: numeric
    prompt: P
    answer: 1
    choices: []
""",
        9,
        "items[0].choices",
        "field_of_other_type",
        id="field-of-another-type",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, text: A, correct: true}
      - {id: a, text: B}
""",
        10,
        "items[0].choices[1].id",
        "duplicate_choice_id",
        id="duplicate-choice-id",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, text: A, correct: true}
      - {id: b, text: B, correct: true}
""",
        8,
        "items[0].choices",
        "single_choice_correct_count",
        id="single-choice-two-correct",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, text: A}
      - {id: b, text: B}
""",
        8,
        "items[0].choices",
        "single_choice_correct_count",
        id="single-choice-none-correct",
    ),
    pytest.param(
        """\
  - id: q1
    type: multiple_select
    prompt: P
    choices:
      - {id: a, text: A}
      - {id: b, text: B}
""",
        8,
        "items[0].choices",
        "multiple_select_no_correct",
        id="multiple-select-none-correct",
    ),
    pytest.param(
        """\
  - id: q1
    type: multiple_select
    scoring: each_answers
    prompt: P
    choices:
      - {id: a, text: A, correct: true}
      - {id: b, text: B}
""",
        7,
        "items[0].scoring",
        "unknown_scoring_did_you_mean",
        id="misspelt-scoring",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, text: A, correct: true}
""",
        8,
        "items[0].choices",
        "too_few_choices",
        id="one-choice",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, text: A, correct: yes please}
      - {id: b, text: B}
""",
        9,
        "items[0].choices[0].correct",
        "expected_bool",
        id="correct-not-bool",
    ),
    pytest.param(
        """\
  - id: q1
    type: single_choice
    prompt: P
    choices:
      - {id: a, correct: true}
      - {id: b, text: B}
""",
        9,
        "items[0].choices[0]",
        "missing_field",
        id="choice-without-text",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n",
        5,
        "items[0].answer",
        "numeric_needs_answer",
        id="numeric-without-answer",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: 1, tolerance: {abs: -0.1}}\n",
        8,
        "items[0].answer.tolerance.abs",
        "bad_tolerance_value",
        id="negative-tolerance",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: 1, tolerance: {abs: lots}}\n",
        8,
        "items[0].answer.tolerance.abs",
        "bad_tolerance_value",
        id="tolerance-not-a-number",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: 1, tolerance: 0.1}\n",
        8,
        "items[0].answer.tolerance",
        "bad_tolerance",
        id="tolerance-not-a-map",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: 1, tolerance: {absolute: 0.1}}\n",
        8,
        "items[0].answer.tolerance.absolute",
        "unknown_field",
        id="tolerance-unknown-key",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: {expr: \"__import__('os')\"}\n",
        8,
        "items[0].answer.expr",
        "bad_expr",
        id="unsafe-expr",
    ),
    pytest.param(
        '  - id: q1\n    type: numeric\n    prompt: P\n    answer: {expr: "9/"}\n',
        8,
        "items[0].answer.expr",
        "bad_expr",
        id="broken-expr",
    ),
    pytest.param(
        '  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: "9/5"}\n',
        8,
        "items[0].answer.value",
        "bad_value",
        id="value-is-a-string",
    ),
    pytest.param(
        '  - id: q1\n    type: numeric\n    prompt: P\n    answer: {value: 1, expr: "1"}\n',
        8,
        "items[0].answer",
        "value_or_expr",
        id="value-and-expr",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: [1]\n",
        8,
        "items[0].answer",
        "bad_numeric_answer",
        id="answer-a-list",
    ),
    pytest.param(
        """\
  - id: q1
    type: numeric
    prompt: P
    answer: {value: 1, tolerance: {abs: 0.1}}
    wrong:
      - {value: 1.05, feedback: F}
""",
        10,
        "items[0].wrong[0]",
        "wrong_value_is_correct",
        id="wrong-value-within-tolerance",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    answer: 1\n    check: 3\n",
        9,
        "items[0].check",
        "bad_check",
        id="check-not-a-string",
    ),
    pytest.param(
        "  - id: q1\n    type: short_text\n    prompt: P\n",
        5,
        "items[0].accept",
        "short_text_needs_accept",
        id="short-text-without-accept",
    ),
    pytest.param(
        """\
  - id: q1
    type: short_text
    prompt: P
    accept: [net input]
    wrong:
      - {text: Net  Input, feedback: F}
""",
        9,
        "items[0].wrong[0]",
        "wrong_text_is_accepted",
        id="wrong-text-is-accepted",
    ),
    pytest.param(
        "  - id: q1\n    type: short_text\n    prompt: P\n    accept: [{text: a, variants: [[x]]}]\n",
        8,
        "items[0].accept[0].variants",
        "bad_variant",
        id="variant-not-a-string",
    ),
    pytest.param(
        """\
  - id: q1
    type: short_text
    prompt: P
    accept: [a]
    wrong: [b]
""",
        9,
        "items[0].wrong[0]",
        "expected_map",
        id="wrong-without-feedback",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n",
        5,
        "items[0].pairs",
        "matching_needs_pairs",
        id="matching-without-pairs",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n    pairs: [{left: x, right: C}, {left: X, right: F}]"
        "\n",
        8,
        "items[0].pairs",
        "duplicate_matching_text",
        id="duplicate-left",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n    pairs: [{left: x, right: C}]\n"
        "    distractors: [c]\n",
        8,
        "items[0].pairs",
        "duplicate_matching_text",
        id="distractor-equals-a-right",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n    pairs: [{left: x, right: '1/2'}]\n"
        "    distractors: ['0.5']\n",
        8,
        "items[0].pairs",
        "duplicate_matching_text",
        id="distractor-equals-a-right-as-a-number",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n    pairs: [{left: x}]\n",
        8,
        "items[0].pairs[0]",
        "missing_field",
        id="pair-without-right",
    ),
    pytest.param(
        "  - id: q1\n    type: matching\n    prompt: P\n    pairs: [{left: x, rigth: C}]\n",
        8,
        "items[0].pairs[0].rigth",
        "unknown_field_did_you_mean",
        id="misspelt-right",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: {ko: 질문, jp: 質問}\n    answer: 1\n",
        7,
        "items[0].prompt.jp",
        "unknown_language",
        id="unknown-language",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: {ko: 질문, eng: Question}\n    answer: 1\n",
        7,
        "items[0].prompt.eng",
        "unknown_language_did_you_mean",
        id="misspelt-language",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: {ko: '', en: Q}\n    answer: 1\n",
        7,
        "items[0].prompt.ko",
        "empty_text",
        id="empty-translation",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: [P]\n    answer: 1\n",
        7,
        "items[0].prompt",
        "expected_text",
        id="prompt-a-list",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    answer: 1\n", 5, "items[0]", "missing_field", id="no-prompt"
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    points: -1\n    answer: 1\n",
        8,
        "items[0].points",
        "bad_points",
        id="negative-points",
    ),
    pytest.param(
        "  - id: q1\n    type: numeric\n    prompt: P\n    points: true\n    answer: 1\n",
        8,
        "items[0].points",
        "bad_points",
        id="bool-points",
    ),
    pytest.param(
        "  - id: 'two words'\n    type: numeric\n    prompt: P\n    answer: 1\n",
        5,
        "items[0].id",
        "bad_id",
        id="bad-item-id",
    ),
    pytest.param(
        "  - id: q1\n    type: single_choice\n    prompt: P\n    shuffle: maybe\n"
        + GOOD_ITEM.split("\n", 3)[3],
        8,
        "items[0].shuffle",
        "expected_bool",
        id="shuffle-not-bool",
    ),
]


@pytest.mark.parametrize(("body", "line", "field", "key"), BAD_QUIZZES)
def test_each_error_names_file_line_and_field(body: str, line: int, field: str, key: str) -> None:
    text = body.removeprefix("!full\n") if body.startswith("!full\n") else HEAD + body
    quiz, errors, _ = _problems(text)
    assert quiz is None
    assert errors, "expected a validation error"
    matching = [p for p in errors if p.text.key == f"validate.{key}"]
    assert matching, f"no {key!r} among {[p.text.key for p in errors]}"
    problem = matching[0]
    assert (problem.line, problem.field) == (line, field), problem.render("en")
    rendered = problem.render("en")
    assert rendered.startswith(f"quizzes/bad.yaml:{line}: " + (f"{field}: " if field else ""))
    assert "\n" not in rendered and "Traceback" not in rendered
    assert problem.render("ko") != rendered  # the Korean catalogue text is used, not the English


def test_did_you_mean_names_the_suggestion() -> None:
    _, errors, _ = _problems(HEAD + "  - id: q1\n    type: single_choice\n    prompt: P\n    choises: []\n")
    assert "did you mean 'choices'?" in " ".join(p.render("en") for p in errors)


def test_all_problems_are_reported_not_just_the_first() -> None:
    text = HEAD + (
        "  - id: q1\n    type: numeric\n    prompt: P\n"  # no answer (line 5)
        "  - id: q2\n    type: single_choice\n    prompt: P\n"
        "    choices: [{id: a, text: A}, {id: b, text: B}]\n"  # no correct choice (line 11)
        "  - id: q3\n    type: essay\n    prompt: P\n"  # unknown type (line 13)
    )
    _, errors, _ = _problems(text)
    assert {p.text.key for p in errors} == {
        "validate.numeric_needs_answer",
        "validate.single_choice_correct_count",
        "validate.unknown_type",
    }
    assert [p.line for p in errors] == sorted(p.line for p in errors) or len(errors) == 3


def test_duplicate_id_is_found_even_when_the_first_item_is_broken() -> None:
    text = HEAD + "  - id: q1\n    type: numeric\n    prompt: P\n" + GOOD_ITEM
    _, errors, _ = _problems(text)
    assert "validate.duplicate_item_id" in {p.text.key for p in errors}


def test_load_quiz_raises_one_quiz_error_with_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        HEAD + "  - id: q1\n    type: numeric\n    prompt: P\n  - id: q2\n    type: essay\n    prompt: P\n",
        encoding="utf-8",
    )
    with pytest.raises(QuizError) as caught:
        load_quiz(path, lang="en")
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:") for line in lines)
    assert len(caught.value.problems) == 2  # type: ignore[attr-defined]


def test_missing_file_is_a_quiz_error(tmp_path: Path) -> None:
    with pytest.raises(QuizError, match="not found"):
        load_quiz(tmp_path / "nope.yaml", lang="en")


def test_file_that_is_not_utf8_is_a_quiz_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: t\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(QuizError, match=r"latin1\.yaml"):
        load_quiz(path, lang="en")


# -- languages: plain strings are allowed; --strict needs ko and en for prose ----------------------


def test_plain_strings_are_allowed_without_strict() -> None:
    quiz, errors, warnings = _problems(
        "id: t\ntitle: T\nitems:\n" + GOOD_ITEM.replace("{ko: 질문, en: Question}", "Q")
    )
    assert quiz is not None and not errors and not warnings
    assert quiz.title.is_plain and quiz.title.text("ko") == "T"


def test_strict_needs_both_languages_for_prose() -> None:
    text = "id: t\ntitle: T\nitems:\n" + GOOD_ITEM
    _, errors, _ = _problems(text, strict=True)
    assert [(p.line, p.field, p.text.key) for p in errors] == [(2, "title", "validate.needs_translations")]


def test_strict_accepts_plain_formulas_in_choices_and_matching() -> None:
    quiz, errors, _ = _problems(HEAD + GOOD_ITEM, strict=True)
    assert quiz is not None and not errors


def test_a_missing_translation_is_a_warning_without_strict_and_an_error_with_it() -> None:
    text = HEAD + GOOD_ITEM.replace("{ko: 질문, en: Question}", "{ko: 질문}")
    quiz, errors, warnings = _problems(text)
    assert quiz is not None and not errors
    assert [(p.line, p.field, p.text.key) for p in warnings] == [
        (7, "items[0].prompt", "validate.missing_translation")
    ]
    assert "warning" in warnings[0].render("en")
    _, errors, _ = _problems(text, strict=True)
    assert [(p.line, p.text.key) for p in errors] == [(7, "validate.missing_translation")]


# -- the model that comes out ------------------------------------------------------------------------

GOOD_QUIZ = (
    HEAD
    + """\
  - id: sc
    type: single_choice
    points: 2
    prompt: {ko: 질문, en: Question}
    explanation: {ko: 설명, en: Explanation}
    choices:
      - {id: a, text: {ko: 가, en: A}, correct: true}
      - {id: 2, text: B, feedback: {ko: 아님, en: no}}
  - id: ms
    type: multiple_select
    scoring: each_answer
    shuffle: false
    prompt: P
    choices: [{id: a, text: A, correct: true}, {id: b, text: B}]
  - id: num
    type: numeric
    prompt: P
    answer: {expr: "9/5", tolerance: {rel: 0.01}}
    wrong: [{expr: "5/9", feedback: F}]
    check: "C2F(1) - C2F(0)"
  - id: short
    type: numeric
    prompt: P
    answer: 0.5
  - id: st
    type: short_text
    prompt: P
    accept: [{text: 순입력, variants: [순 입력]}, net input, 32]
    wrong: [{text: output, feedback: F}]
  - id: mt
    type: matching
    prompt: P
    pairs: [{left: x1, right: C}, {left: w1, right: {ko: 구분의 오른쪽, en: right}}]
    distractors: ["5/9"]
"""
)


def test_a_valid_quiz_becomes_the_model() -> None:
    quiz, errors, _ = _problems(GOOD_QUIZ)
    assert not errors and quiz is not None
    assert quiz.id == "t" and quiz.title.text("ko") == "제목" and quiz.title.text("en") == "Title"
    assert quiz.max_score == 7.0
    sc, ms, num, short, st, mt = quiz.items
    assert isinstance(sc, SingleChoice) and sc.points == 2 and sc.correct_choice.id == "a" and sc.line == 5
    assert sc.choices[1].id == "2" and sc.choices[1].feedback == LocalizedText({"ko": "아님", "en": "no"})
    assert isinstance(ms, MultipleSelect) and ms.scoring == "each_answer" and not ms.shuffle
    assert ms.correct_ids == frozenset({"a"})
    assert isinstance(num, Numeric) and num.answer.value == pytest.approx(1.8) and num.answer.expr == "9/5"
    assert num.answer.tolerance.rel == 0.01 and num.check == "C2F(1) - C2F(0)"
    assert num.wrong[0].value == pytest.approx(5 / 9)
    assert isinstance(short, Numeric) and short.answer.value == 0.5 and short.answer.tolerance.bound(0.5) == 0
    assert (
        isinstance(st, ShortText)
        and st.accept[0].forms() == ("순입력", "순 입력")
        and st.accept[2].text == "32"
    )
    assert isinstance(mt, Matching) and [str(r) for r in mt.rights] == ["C", "right", "5/9"]
    assert quiz.item("mt") is mt
    with pytest.raises(KeyError):
        quiz.item("nope")


def test_items_and_texts_are_hashable() -> None:
    quiz, _, _ = _problems(GOOD_QUIZ)
    assert quiz is not None
    assert len({*quiz.items}) == len(quiz.items)
    assert hash(LocalizedText({"ko": "가", "en": "A"})) == hash(LocalizedText({"en": "A", "ko": "가"}))


def test_localized_text_falls_back_to_english_then_korean() -> None:
    assert LocalizedText({"ko": "가", "en": "A"}).text("ko") == "가"
    assert LocalizedText({"ko": "가"}).text("en") == "가"
    assert LocalizedText({"en": "A"}).text("ko") == "A"
    assert LocalizedText.plain("x").text("ko") == "x" and LocalizedText.plain("x").languages == ()


def test_load_quizzes_refuses_an_item_id_used_by_two_quizzes(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + GOOD_ITEM, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HEAD.replace("id: t", "id: u") + GOOD_ITEM, encoding="utf-8")
    with pytest.raises(QuizError) as caught:
        load_quizzes(tmp_path, lang="en")
    assert "item id 'q1' is also used at" in str(caught.value)
    assert str(tmp_path / "b.yaml") + ":5:" in str(caught.value)


def test_load_quizzes_refuses_a_duplicate_quiz_id(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + GOOD_ITEM, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HEAD + GOOD_ITEM.replace("q1", "q2"), encoding="utf-8")
    with pytest.raises(QuizError, match="quiz id 't' is also used"):
        load_quizzes(tmp_path, lang="en")


# -- never a traceback -----------------------------------------------------------------------------------

COURSE_TEXTS = [
    (Path(__file__).resolve().parents[1] / "quizzes" / name).read_text(encoding="utf-8")
    for name in ("neuron.yaml", "activations.yaml")
]
MUTATIONS = ["[", "{", "- ", '"', "\t", "x: 1", ": ", "&a ", "*a", "!!int ", "? ", "!!float ", "? [a]\n"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
def test_mangled_quizzes_give_problems_never_exceptions(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for _ in range(40):
        lines = rng.choice(COURSE_TEXTS).splitlines(keepends=True)
        index = rng.randrange(len(lines))
        operation = rng.randrange(3)
        if operation == 0:
            del lines[index]
        elif operation == 1:
            lines.insert(index, lines[rng.randrange(len(lines))])
        else:
            cut = rng.randrange(len(lines[index]) + 1)
            lines[index] = lines[index][:cut] + rng.choice(MUTATIONS) + lines[index][cut:]
        quiz, problems = check_quiz_text("".join(lines), "mangled.yaml")
        for problem in problems:
            assert problem.render("en").startswith("mangled.yaml:") and problem.render("ko")
        assert (quiz is None) == any(p.severity == "error" for p in problems)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("id: !!int text\ntitle: T\nitems: []\n", id="bad-int-tag"),
        pytest.param("id: t\ntitle: T\nitems:\n  - ? [a, {b: [c]}]\n    : 1\n", id="complex-key"),
        pytest.param("id: t\ntitle: T\nitems:\n  - {id: q, type: numeric, prompt: P, "
                     "answer: {value: .nan}}\n", id="nan-value"),
        pytest.param("id: t\ntitle: T\nitems:\n  - {id: q, type: numeric, prompt: P, answer: {value: 1, "
                     "tolerance: {abs: .inf}}}\n", id="infinite-tolerance"),
    ],
)  # fmt: skip
def test_odd_yaml_is_a_located_problem(text: str) -> None:
    quiz, errors, _ = _problems(text)
    assert quiz is None and errors
    assert all(p.render("en").startswith("quizzes/bad.yaml:") for p in errors)
