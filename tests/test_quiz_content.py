"""The course's own quizzes: valid under --strict, bilingual, every wrong choice explained, keys gradeable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rendered import rendered

from activation_lab.quiz.grade import grade_submission_answers
from activation_lab.quiz.load import check_quiz_file, load_quizzes
from activation_lab.quiz.model import (
    ITEM_TYPES,
    LANGUAGES,
    Item,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)

ROOT = Path(__file__).resolve().parents[1]
QUIZZES_DIR = ROOT / "quizzes"
QUIZ_FILES = sorted(QUIZZES_DIR.glob("*.yaml"))
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


@pytest.fixture(scope="module")
def quizzes() -> list[Quiz]:
    return load_quizzes(QUIZZES_DIR, strict=True, lang="en")


def _items(quizzes: list[Quiz]) -> list[Item]:
    return [item for quiz in quizzes for item in quiz.items]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=[p.name for p in QUIZ_FILES])
def test_each_course_quiz_is_valid_under_strict_without_warnings(path: Path) -> None:
    quiz, problems = check_quiz_file(path, strict=True)
    assert quiz is not None and problems == [], [p.render("en") for p in problems]


def test_the_course_has_both_quizzes(quizzes: list[Quiz]) -> None:
    assert {quiz.id for quiz in quizzes} >= {"neuron-parts", "activations"}


def test_at_least_28_items_using_all_five_types(quizzes: list[Quiz]) -> None:
    items = _items(quizzes)
    assert len(items) >= 28
    assert {item.type for item in items} == set(ITEM_TYPES)


def test_item_ids_are_unique_across_the_course(quizzes: list[Quiz]) -> None:
    ids = [item.id for item in _items(quizzes)]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {quiz.id for quiz in quizzes}  # a quiz id would shadow an item id in answers.yaml


def _texts(item: Item) -> list[LocalizedText]:
    texts = [item.prompt, *([item.explanation] if item.explanation else [])]
    if isinstance(item, SingleChoice | MultipleSelect):
        for choice in item.choices:
            texts += [choice.text, *([choice.feedback] if choice.feedback else [])]
    if isinstance(item, Numeric):
        texts += [wrong.feedback for wrong in item.wrong]
    if isinstance(item, ShortText):
        texts += [entry.feedback for entry in (*item.accept, *item.wrong) if entry.feedback]
    if isinstance(item, Matching):
        for pair in item.pairs:
            texts += [pair.left, pair.right, *([pair.feedback] if pair.feedback else [])]
        texts += list(item.distractors)
    return texts


def test_every_text_is_korean_and_english_or_language_neutral(quizzes: list[Quiz]) -> None:
    for item in _items(quizzes):
        for text in _texts(item):
            if text.is_plain:
                assert not HANGUL.search(text.text("en")), f"{item.id}: plain text in Korean only: {text}"
            else:
                assert set(text.languages) == set(LANGUAGES), f"{item.id}: {text}"
                assert HANGUL.search(text.text("ko")), f"{item.id}: the 'ko' text has no Korean: {text}"


def test_every_wrong_choice_has_feedback_naming_the_misconception(quizzes: list[Quiz]) -> None:
    for item in _items(quizzes):
        if isinstance(item, SingleChoice | MultipleSelect):
            for choice in item.choices:
                if not choice.correct:
                    assert choice.feedback is not None, f"{item.id}: choice {choice.id} has no feedback"
                    assert len(choice.feedback.text("en")) > 15


def test_numeric_and_short_text_items_explain_known_wrong_answers(quizzes: list[Quiz]) -> None:
    for item in _items(quizzes):
        if isinstance(item, Numeric | ShortText):
            assert item.wrong, f"{item.id} lists no known wrong answer with feedback"


def perfect_answer(item: Item) -> Any:
    """The key of an item written as a student would answer it."""
    if isinstance(item, SingleChoice):
        return item.correct_choice.id
    if isinstance(item, MultipleSelect):
        return sorted(item.correct_ids)
    if isinstance(item, Numeric):
        return item.answer.value
    if isinstance(item, ShortText):
        return item.accept[0].text
    assert isinstance(item, Matching)
    return {pair.left.text("ko"): pair.right.text("ko") for pair in item.pairs}


def wrong_answer(item: Item) -> Any:
    """A wrong answer: a wrong choice, a known wrong value, a swapped matching."""
    if isinstance(item, SingleChoice):
        return next(c.id for c in item.choices if not c.correct)
    if isinstance(item, MultipleSelect):
        return [c.id for c in item.choices if not c.correct]
    if isinstance(item, Numeric):
        return item.wrong[0].value
    if isinstance(item, ShortText):
        return item.wrong[0].text
    assert isinstance(item, Matching)
    rights = [pair.right.text("en") for pair in item.pairs]
    return {pair.left.text("en"): rights[(index + 1) % len(rights)] for index, pair in enumerate(item.pairs)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_keys_earn_full_marks_through_the_grader(quizzes: list[Quiz], lang: str) -> None:
    answers = {item.id: perfect_answer(item) for item in _items(quizzes)}
    result = rendered(grade_submission_answers(QUIZZES_DIR, _dump(answers)), lang)
    assert result.score == result.max_score == sum(item.points for item in _items(quizzes))
    assert all(item.feedback for item in result.items)


def test_known_wrong_answers_score_zero_with_their_feedback(quizzes: list[Quiz]) -> None:
    answers = {item.id: wrong_answer(item) for item in _items(quizzes)}
    result = rendered(grade_submission_answers(quizzes, answers_text=_dump(answers)), "en")
    by_id = {item.id: item for item in result.items}
    for item in _items(quizzes):
        graded = by_id[item.id]
        if isinstance(item, MultipleSelect) and item.scoring == "each_answer":
            assert graded.score < item.points
        else:
            assert graded.score == 0.0, (item.id, graded)
        if isinstance(item, Numeric):
            assert item.wrong[0].feedback.text("en") in graded.feedback
        if isinstance(item, SingleChoice):
            chosen = next(c for c in item.choices if not c.correct)
            assert chosen.feedback is not None and chosen.feedback.text("en") in graded.feedback


def _dump(data: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    stream = io.StringIO()
    YAML(typ="safe").dump(data, stream)
    return stream.getvalue()
