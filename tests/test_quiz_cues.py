"""The course quizzes give nothing away, state how they score, and accept every reasonable way to answer.

Issue 12: the correct option was the longest in all 8 prose single-choice items; two prompts held their own
answer and one named the next item's; multiple-select items never said how they score; formula and
arithmetic answers written in another notation were refused; feedback said "정답입니다. 맞습니다." and
quoted internal choice ids. Formula answers are compared as Open edX compares them, and the OLX export
must agree with our grader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from rendered import rendered

from activation_lab.i18n import message
from activation_lab.quiz.export.olx import problem_element
from activation_lab.quiz.formulas import Samples, evaluate
from activation_lab.quiz.grade import grade_item
from activation_lab.quiz.load import load_quizzes
from activation_lab.quiz.model import LANGUAGES, MultipleSelect, Numeric, ShortText, SingleChoice

ROOT = Path(__file__).resolve().parents[1]
QUIZZES = load_quizzes(ROOT / "quizzes", strict=True, lang="en")
ITEMS = [item for quiz in QUIZZES for item in quiz.items]
BY_ID = {item.id: item for item in ITEMS}
WORD = re.compile(r"[A-Za-z가-힣]{2,}")


def _is_prose(item: SingleChoice) -> bool:
    """Choices written as sentences (at least three words each in English), not formulas or numbers."""
    return all(len(WORD.findall(choice.text.text("en"))) >= 3 for choice in item.choices)


PROSE = [item for item in ITEMS if isinstance(item, SingleChoice) and _is_prose(item)]


def test_there_are_prose_single_choice_items_to_check() -> None:
    assert len(PROSE) >= 8


@pytest.mark.parametrize("item", PROSE, ids=[item.id for item in PROSE])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_correct_option_is_not_the_longest(item: SingleChoice, lang: str) -> None:
    lengths = {choice.id: len(choice.text.text(lang)) for choice in item.choices}
    correct = item.correct_choice.id
    others = max(length for choice_id, length in lengths.items() if choice_id != correct)
    assert lengths[correct] < others, f"{item.id} ({lang}): the correct option is the longest: {lengths}"


def _answer_forms(item) -> list[str]:
    if isinstance(item, Numeric):
        forms = [f"{item.answer.value:g}"]
        return forms + ([item.answer.expr] if item.answer.expr else [])
    if isinstance(item, ShortText):
        return [form for accept in item.accept for form in accept.forms()]
    return []


def test_no_prompt_holds_an_answer_of_its_own_or_of_another_item() -> None:
    problems = []
    for item in ITEMS:
        for form in _answer_forms(item):
            if len(form) < 4:  # "0", "32": numbers that prompts name as inputs
                continue
            for other in ITEMS:
                for lang in LANGUAGES:
                    if form.lower() in other.prompt.text(lang).lower():
                        problems.append(f"{other.id} ({lang}) names {form!r}, the answer of {item.id}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("item", [i for i in ITEMS if isinstance(i, MultipleSelect)], ids=lambda i: i.id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_multiple_select_prompt_states_its_scoring(item: MultipleSelect, lang: str) -> None:
    rule = message("quiz", f"scoring.{item.scoring}", lang)
    assert rule in item.prompt.text(lang), f"{item.id} ({lang}) does not say: {rule}"


def test_no_quiz_text_says_contract_and_relu_grad_zero_is_the_courses_choice() -> None:
    for item in ITEMS:
        for lang in LANGUAGES:
            assert "CONTRACT" not in item.prompt.text(lang)
    prompt = BY_ID["relu-grad-at-zero"].prompt
    assert "this course" in prompt.text("en") and "lecture does not" in prompt.text("en")
    assert "이 과정" in prompt.text("ko") and "강의는" in prompt.text("ko")
    assert "celsius-spelling" not in BY_ID


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_right_answer_is_called_right_once(lang: str) -> None:
    said_right = re.compile(r"정답입니다|맞습니다|\bCorrect\b|\bRight\b")
    for item in ITEMS:
        if isinstance(item, SingleChoice):
            answer = item.correct_choice.id
        elif isinstance(item, MultipleSelect):
            answer = sorted(item.correct_ids)
        elif isinstance(item, Numeric):
            answer = item.answer.value
        elif isinstance(item, ShortText):
            answer = item.accept[0].text
        else:
            answer = {pair.left.text("en"): pair.right.text("en") for pair in item.pairs}
        result = rendered(grade_item(item, answer), lang)
        assert result.score == result.max_score, item.id
        assert len(said_right.findall(result.feedback)) == 1, f"{item.id}: {result.feedback}"


def test_feedback_quotes_the_choice_text_not_its_id() -> None:
    item = BY_ID["sigmoid-range"]
    wrong = next(choice for choice in item.choices if not choice.correct)
    feedback = rendered(grade_item(item, wrong.id), "en").feedback
    assert f"'{wrong.text.text('en')}'" in feedback and f"({wrong.id})" not in feedback


FORMULAS_RIGHT = [
    "tanh(x)^2",
    "(tanh(x))^2",
    "tanh(x) ^ 2",
    "tanh(x) * tanh(x)",
    "tanh²x",
    "tanh²(x)",
    "tanh(x)**2",
    "np.tanh(x)**2",
    "tanh^2(x)",
    "tanh(x)²",
]
FORMULAS_WRONG = ["tanh(x)", "tanh(x^2)", "tanh(x)*(1-tanh(x))", "2*tanh(x)", "x^2"]


@pytest.mark.parametrize("answer", FORMULAS_RIGHT)
def test_every_way_of_writing_tanh_squared_is_accepted(answer: str) -> None:
    result = rendered(grade_item(BY_ID["tanh-grad-formula"], answer), "en")
    assert result.score == result.max_score, result.feedback


@pytest.mark.parametrize("answer", FORMULAS_WRONG)
def test_other_formulas_are_refused(answer: str) -> None:
    assert rendered(grade_item(BY_ID["tanh-grad-formula"], answer), "en").score == 0


@pytest.mark.parametrize("answer", ["0.25^3", "0.25**3", "1/64", "0.015625", "(1/4)^3", "0.25³"])
def test_arithmetic_is_accepted_for_a_numeric_answer(answer: str) -> None:
    result = rendered(grade_item(BY_ID["vanishing-gradient-bound"], answer), "en")
    assert result.score == result.max_score, result.feedback


@pytest.mark.parametrize(
    ("item_id", "answer"),
    [
        ("name-of-z", "순입력 z"),
        ("name-of-z", "순입력(z)"),
        ("name-of-z", "Net Input z"),
        ("name-of-z", "net input."),
        ("vanishing-gradient-name", "기울기 소멸 현상"),
        ("vanishing-gradient-name", "경사 소실"),
        ("vanishing-gradient-name", "gradient vanishing"),
        ("vanishing-gradient-name", "vanishing gradient!"),
    ],
)
def test_reasonable_short_answers_are_accepted(item_id: str, answer: str) -> None:
    result = rendered(grade_item(BY_ID[item_id], answer), "ko")
    assert result.score == result.max_score, result.feedback


# --- agreement with the OLX export ------------------------------------------------------------------------


def _olx_problems() -> dict[str, etree._Element]:
    """Each item's exported ``<problem>``, as written into the OLX archive (serialised and read back)."""
    return {
        item.id: etree.fromstring(etree.tostring(problem_element(item, number, "en")))
        for number, item in enumerate(ITEMS, start=1)
    }


def _edx_formula_verdict(response: etree._Element, answer: str) -> bool:
    """What Open edX's formularesponse decides, from the exported XML alone (answer in edX notation)."""
    samples = Samples.parse(response.get("samples"))
    tolerance = float(response.find("responseparam").get("default").rstrip("%")) / 100
    for point in samples.points():
        key = evaluate(response.get("answer"), point)
        if abs(evaluate(answer, point) - key) > tolerance * abs(key) + 1e-12:
            return False
    return True


def _edx_number_verdict(response: etree._Element, answer: str) -> bool:
    key = float(response.get("answer"))
    default = response.find("responseparam").get("default")
    bound = float(default.rstrip("%")) / 100 * abs(key) if default.endswith("%") else float(default)
    return abs(evaluate(answer) - key) <= bound + 1e-12


def test_our_verdicts_agree_with_the_olx_export_for_edx_notation() -> None:
    problems = _olx_problems()
    formula = problems["tanh-grad-formula"].find("formularesponse")
    assert formula is not None and formula.get("samples")
    for answer in ["tanh(x)^2", "(tanh(x))^2", "tanh(x)*tanh(x)", *FORMULAS_WRONG]:
        ours = rendered(grade_item(BY_ID["tanh-grad-formula"], answer), "en").score > 0
        assert ours == _edx_formula_verdict(formula, answer), answer
    disagreements = []
    for item in ITEMS:
        if not isinstance(item, Numeric):
            continue
        response = problems[item.id].find("numericalresponse")
        key = item.answer.value
        # the key, the key written with a constant (edX's numericalresponse accepts e and pi), a power, wrongs
        answers = [f"{key!r}", f"{key!r}+e-e", f"({key!r})^1", *(f"{w.value!r}" for w in item.wrong)]
        for answer in answers:
            ours = rendered(grade_item(item, answer), "en").score > 0
            if ours != _edx_number_verdict(response, answer):
                disagreements.append(f"{item.id}: {answer}")
    assert not disagreements, disagreements


def test_e_is_asked_so_that_typing_the_constant_gives_nothing_away() -> None:
    item = BY_ID["e-value"]
    assert isinstance(item, SingleChoice)  # a numeric item would accept `e` on Open edX
    assert "2.718" not in item.prompt.text("en") and "2.718" not in item.prompt.text("ko")
