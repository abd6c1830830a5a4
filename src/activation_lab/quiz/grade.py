"""Grade quiz answers (docs/contract.md, "Quizzes"): a result per item with feedback; bad answers score 0.

Why one long module: one grading function per item type, each with its own feedback, over one shared reading
of a student's raw answer; they are read side by side when a rule changes.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from activation_lab.i18n import Message, render
from activation_lab.quiz.formulas import (
    FORMULA_REL_TOLERANCE,
    SUPERSCRIPTS,
    FormulaError,
    Samples,
    same_formula,
)
from activation_lab.quiz.formulas import evaluate as evaluate_formula
from activation_lab.quiz.load import Problem, QuizValidationError, load_quizzes, parse_yaml
from activation_lab.quiz.model import (
    Choice,
    Item,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    Quiz,
    ShortText,
    SingleChoice,
)
from activation_lab.quiz.normalize import normalize_text
from activation_lab.quiz.numbers import NumberFormatError, parse_number
from activation_lab.records import QuizItemResult, QuizResult

FLOAT_SLACK = 1e-12  # relative slack so that 1/3 typed as a fraction equals expr "1/3" whatever the rounding
DOMAIN = "quiz"
ANSWERS_ITEM_ID = "answers.yaml"  # id of the pseudo-item that reports an unreadable answers file
TRAILING_PUNCTUATION = ".,;:!?。、"  # not part of a short answer: "net input." = "net input"


def _show(value: Any) -> str:
    """A short, safe rendering of a student's answer for feedback."""
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def load_answers(answers: str | Mapping[str, Any], name: str = "answers.yaml") -> dict[str, Any]:
    """The answers as ``{key: answer}``; ``QuizValidationError`` (with the line) if not YAML or not a map."""
    if isinstance(answers, Mapping):
        return {str(key): value for key, value in answers.items()}
    document = parse_yaml(answers.lstrip("\ufeff"), name)
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        kind = "list" if isinstance(document, list) else type(document).__name__
        raise QuizValidationError(
            [Problem(name, 1, "", Message(DOMAIN, "validate.answers_not_a_map", {"got": kind}))]
        )
    return {str(key): _plain(value) for key, value in document.items()}


def _plain(value: Any) -> Any:
    """ruamel's round-trip scalars and containers as plain Python values (dict, list, str, numbers)."""
    if isinstance(value, Mapping):
        return {
            (_plain(k) if isinstance(k, str | int | float) else str(k)): _plain(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return str(value)  # dates and other YAML types: compared as text


def grade_answers(quiz: Quiz, answers: str | Mapping[str, Any], *, name: str = "answers.yaml") -> QuizResult:
    """Grade one quiz; ``answers`` is YAML text or a mapping (flat item id → answer, or quiz id → that map).

    Keys that are neither an item of this quiz nor the quiz id are reported as items worth 0 points.
    """
    raw = load_answers(answers, name)
    flat, unknown = _flatten(raw, [quiz])
    items = [grade_item(item, flat.get(item.id, _MISSING)) for item in quiz.items]
    items.extend(_unknown_results(unknown, [quiz]))
    return _total(items, quiz.id)


def grade_submission_answers(
    quizzes: str | Path | Sequence[Quiz], answers_text: str, *, name: str = "answers.yaml"
) -> QuizResult:
    """Grade a submission's ``answers.yaml`` against every quiz of the course (for the grading engine).

    ``quizzes`` is the course's quiz folder or the loaded quizzes. Item ids are unique across the course, so
    ``answers.yaml`` is either a flat map item id → answer or a map quiz id → (item id → answer), or a mix.
    Unknown keys are reported as items worth 0 points. An unreadable answers file does not raise: every item
    scores 0 and a first pseudo-item ``answers.yaml`` carries the YAML error with its line. A broken quiz
    (the course's fault) raises ``QuizValidationError``.
    """
    loaded = load_quizzes(quizzes) if isinstance(quizzes, str | Path) else list(quizzes)
    quiz_id = "+".join(quiz.id for quiz in loaded)
    try:
        raw = load_answers(answers_text, name)
    except QuizValidationError as exc:
        error_item = QuizItemResult(
            ANSWERS_ITEM_ID, 0.0, 0.0, Message(DOMAIN, "grade.answers_unreadable", {"error": exc.message})
        )
        missing = [grade_item(item, _MISSING) for quiz in loaded for item in quiz.items]
        return _total([error_item, *missing], quiz_id)
    flat, unknown = _flatten(raw, loaded)
    items = [grade_item(item, flat.get(item.id, _MISSING)) for quiz in loaded for item in quiz.items]
    items.extend(_unknown_results(unknown, loaded))
    return _total(items, quiz_id)


def result_as_dict(result: QuizResult, lang: str) -> dict[str, Any]:
    """A graded quiz as JSON (score, max_score, items: id, score, max_score, feedback in ``lang``)."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "items": [
            {
                "id": item.id,
                "score": item.score,
                "max_score": item.max_score,
                "feedback": render(item.feedback, lang),
            }
            for item in result.items
        ],
    }


class _Missing:
    """Marks an item the answers file does not mention."""


_MISSING: Any = _Missing()


def _flatten(raw: dict[str, Any], quizzes: Sequence[Quiz]) -> tuple[dict[str, Any], list[str]]:
    """Item id → answer, taken from the top level and from quiz-id sections; plus the unknown keys."""
    item_ids = {item.id for quiz in quizzes for item in quiz.items}
    by_quiz = {quiz.id: quiz for quiz in quizzes}
    flat: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in raw.items():
        if key in item_ids:
            flat.setdefault(key, value)
        elif key in by_quiz and isinstance(value, Mapping):
            own = {item.id for item in by_quiz[key].items}
            for sub_key, sub_value in value.items():
                if str(sub_key) in own:
                    flat[str(sub_key)] = sub_value
                else:
                    unknown.append(f"{key}.{sub_key}")
        else:
            unknown.append(key)
    return flat, unknown


def _unknown_results(unknown: list[str], quizzes: Sequence[Quiz]) -> list[QuizItemResult]:
    known = [item.id for quiz in quizzes for item in quiz.items]
    results = []
    for key in unknown:
        close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1, cutoff=0.6)
        text = (
            Message(DOMAIN, "grade.unknown_item_did_you_mean", {"id": key, "suggestion": close[0]})
            if close
            else Message(DOMAIN, "grade.unknown_item", {"id": key})
        )
        results.append(QuizItemResult(key, 0.0, 0.0, text))
    return results


def _total(items: list[QuizItemResult], quiz_id: str) -> QuizResult:
    score = round(sum(item.score for item in items), 6)
    max_score = round(sum(item.max_score for item in items), 6)
    return QuizResult(score=score, max_score=max_score, items=tuple(items), quiz_id=quiz_id)


# -- one item --------------------------------------------------------------------------------------


def grade_item(item: Item, answer: Any) -> QuizItemResult:
    """Grade one answer (``_MISSING`` when absent): score, max score and feedback (a message)."""
    if answer is _MISSING or answer is None:
        return _result(item, 0.0, [Message(DOMAIN, "grade.missing")])
    if isinstance(item, SingleChoice):
        score, parts = _single_choice(item, answer)
    elif isinstance(item, MultipleSelect):
        score, parts = _multiple_select(item, answer)
    elif isinstance(item, Numeric):
        score, parts = _numeric(item, answer)
    elif isinstance(item, ShortText):
        score, parts = _short_text(item, answer)
    else:
        score, parts = _matching(item, answer)
    return _result(item, score, parts)


def _result(item: Item, fraction: float, parts: list[Message]) -> QuizItemResult:
    fraction = min(1.0, max(0.0, fraction))
    if item.explanation is not None:
        parts.append(item.explanation.message())
    score = round(item.points * fraction, 6)
    return QuizItemResult(item.id, score, item.points, Message.join(parts, " ", trim=True))


def _label(choice: Choice) -> Message:
    # the text, never the id: students saw the choices shuffled and numbered, not our ids
    return Message.text({lang: f"'{text}'" for lang, text in choice.text.translations.items()})


def find_choice(choices: Sequence[Choice], given: Any) -> Choice | None:
    """The choice an answer names: by id, else by its text in any language (after normalisation).

    Also used by the quiz statistics, so they read an answer exactly as the grader does.
    """
    if isinstance(given, bool) or not isinstance(given, str | int | float):
        return None
    wanted = str(given).strip()
    for choice in choices:
        if choice.id == wanted:
            return choice
    normal = normalize_text(wanted)
    by_text = [c for c in choices if normal in {normalize_text(t) for t in c.text.all_texts()}]
    return by_text[0] if len(by_text) == 1 else None


def _ids(choices: Sequence[Choice]) -> str:
    return ", ".join(choice.id for choice in choices)


def _single_choice(item: SingleChoice, answer: Any) -> tuple[float, list[Message]]:
    if isinstance(answer, list | dict) or isinstance(answer, bool):
        return 0.0, [
            Message(DOMAIN, "grade.expected_one_choice", {"got": _show(answer), "ids": _ids(item.choices)})
        ]
    chosen = find_choice(item.choices, answer)
    if chosen is None:
        return 0.0, [
            Message(DOMAIN, "grade.unknown_choice", {"answer": _show(answer), "ids": _ids(item.choices)})
        ]
    feedback = [chosen.feedback.message()] if chosen.feedback else []
    if chosen.correct:
        return 1.0, [Message(DOMAIN, "grade.correct"), *feedback]
    return 0.0, [Message(DOMAIN, "grade.wrong_choice", {"choice": _label(chosen)}), *feedback]


def _selected_ids(item: MultipleSelect, answer: Any) -> tuple[set[str], list[str]] | None:
    """The chosen choice ids and the unrecognised entries; None when the answer is not a list of ids."""
    if isinstance(answer, str):
        entries: list[Any] = [part for part in re.split(r"[,\s]+", answer.strip()) if part]
    elif isinstance(answer, list):
        entries = list(answer)
    else:
        return None
    chosen: set[str] = set()
    unknown: list[str] = []
    for entry in entries:
        if isinstance(entry, list | dict):
            return None
        choice = find_choice(item.choices, entry)
        if choice is None:
            unknown.append(_show(entry))
        else:
            chosen.add(choice.id)
    return chosen, unknown


def _multiple_select(item: MultipleSelect, answer: Any) -> tuple[float, list[Message]]:
    selected = _selected_ids(item, answer)
    if selected is None:
        return 0.0, [
            Message(DOMAIN, "grade.expected_choice_list", {"got": _show(answer), "ids": _ids(item.choices)})
        ]
    chosen, unknown = selected
    parts: list[Message] = []
    if unknown:
        parts.append(
            Message(
                DOMAIN, "grade.unknown_choices", {"answers": ", ".join(unknown), "ids": _ids(item.choices)}
            )
        )
    judged_right = 0
    for choice in item.choices:
        picked = choice.id in chosen
        if picked == choice.correct:
            judged_right += 1
            continue
        key = "selected_wrong" if picked else "missed_correct"
        parts.append(Message(DOMAIN, f"grade.{key}", {"choice": _label(choice)}))
        if choice.feedback is not None:
            parts.append(choice.feedback.message())
    all_right = judged_right == len(item.choices) and not unknown
    if item.scoring == "each_answer":
        fraction = judged_right / len(item.choices)
        if all_right:
            return 1.0, [Message(DOMAIN, "grade.correct"), *parts]
        return fraction, [
            Message(DOMAIN, "grade.partial", {"right": judged_right, "total": len(item.choices)}),
            *parts,
        ]
    if all_right:
        return 1.0, [Message(DOMAIN, "grade.correct"), *parts]
    return 0.0, [Message(DOMAIN, "grade.not_exact_set"), *parts]


def read_number(answer: Any) -> float:
    """The number an answer means: a plain number (``0.5``, ``1/2``, ``½``), else arithmetic as Open
    edX's numericalresponse evaluates it (``0.25^3``, ``0.25**3``, ``1/(1+e^-1)``, the constants e and pi).
    """
    if isinstance(answer, str) and any(char in SUPERSCRIPTS for char in answer):
        try:  # 0.25³ is a power (NFKC would read it as 0.253)
            return evaluate_formula(answer)
        except FormulaError:
            raise NumberFormatError("not_a_number", answer) from None
    try:
        return parse_number(answer)
    except NumberFormatError as exc:
        if exc.reason != "not_a_number":
            raise
        try:
            return evaluate_formula(str(answer))
        except FormulaError:
            raise exc from None


def _numeric(item: Numeric, answer: Any) -> tuple[float, list[Message]]:
    try:
        got = read_number(answer)
    except NumberFormatError as exc:
        return 0.0, [Message(DOMAIN, f"grade.number_{exc.reason}", {"answer": _show(answer)})]
    key = item.answer.value
    bound = item.answer.tolerance.bound(key)
    if _close(got, key, bound):
        return 1.0, [Message(DOMAIN, "grade.correct")]
    for wrong in item.wrong:
        if _close(got, wrong.value, item.answer.tolerance.bound(wrong.value)):
            return 0.0, [
                Message(DOMAIN, "grade.wrong_number", {"answer": _show(answer)}),
                wrong.feedback.message(),
            ]
    return 0.0, [Message(DOMAIN, "grade.wrong_number", {"answer": _show(answer)})]


def _close(got: float, key: float, bound: float) -> bool:
    return abs(got - key) <= bound or math.isclose(got, key, rel_tol=FLOAT_SLACK, abs_tol=0.0)


def _short_text(item: ShortText, answer: Any) -> tuple[float, list[Message]]:
    if isinstance(answer, bool) or not isinstance(answer, str | int | float):
        return 0.0, [Message(DOMAIN, "grade.expected_text", {"got": _show(answer)})]
    got = normalize_text(str(answer)).rstrip(TRAILING_PUNCTUATION).rstrip()
    if not got:
        return 0.0, [Message(DOMAIN, "grade.missing")]
    if item.samples is not None:
        return _formula(item, str(answer))
    for accept in item.accept:
        if got in {normalize_text(form) for form in accept.forms()}:
            return 1.0, [
                Message(DOMAIN, "grade.correct"),
                *([accept.feedback.message()] if accept.feedback else []),
            ]
    for wrong in item.wrong:
        if got in {normalize_text(form) for form in wrong.forms()}:
            feedback = [wrong.feedback.message()] if wrong.feedback else []
            return 0.0, [Message(DOMAIN, "grade.wrong_text", {"answer": _show(answer)}), *feedback]
    return 0.0, [Message(DOMAIN, "grade.wrong_text", {"answer": _show(answer)})]


def _formula(item: ShortText, answer: str) -> tuple[float, list[Message]]:
    """A formula answer, compared with every accepted and known wrong formula at the item's sample points."""
    samples = Samples.parse(item.samples or "")
    try:
        for accept in item.accept:
            if any(same_formula(answer, form, samples, FORMULA_REL_TOLERANCE) for form in accept.forms()):
                feedback = [accept.feedback.message()] if accept.feedback else []
                return 1.0, [Message(DOMAIN, "grade.correct"), *feedback]
        for wrong in item.wrong:
            if any(same_formula(answer, form, samples, FORMULA_REL_TOLERANCE) for form in wrong.forms()):
                feedback = [wrong.feedback.message()] if wrong.feedback else []
                return 0.0, [Message(DOMAIN, "grade.wrong_formula", {"answer": _show(answer)}), *feedback]
    except FormulaError as exc:
        return 0.0, [Message(DOMAIN, f"grade.{exc.reason}", {"answer": _show(answer)})]
    return 0.0, [Message(DOMAIN, "grade.wrong_formula", {"answer": _show(answer)})]


def _matches(text: LocalizedText, given: Any) -> bool:
    """Same text after normalisation, or, when both read as numbers, the same number (``0.5`` = ``1/2``)."""
    if isinstance(given, bool) or not isinstance(given, str | int | float):
        return False
    if normalize_text(str(given)) in {normalize_text(form) for form in text.all_texts()}:
        return True
    try:
        number = parse_number(given)
    except NumberFormatError:
        return False
    for form in text.all_texts():
        try:
            if _close(number, parse_number(form), 0.0):
                return True
        except NumberFormatError:
            continue
    return False


def _matching(item: Matching, answer: Any) -> tuple[float, list[Message]]:
    if not isinstance(answer, Mapping):
        return 0.0, [Message(DOMAIN, "grade.expected_matching_map", {"got": _show(answer)})]
    parts: list[Message] = []
    used_keys: set[Any] = set()
    right_count = 0
    for pair in item.pairs:
        key = next((k for k in answer if _matches(pair.left, k)), _MISSING)
        left = pair.left.message()
        if key is _MISSING:
            parts.append(Message(DOMAIN, "grade.pair_missing", {"left": left}))
            continue
        used_keys.add(key)
        given = answer[key]
        if _matches(pair.right, given):
            right_count += 1
            continue
        if any(_matches(distractor, given) for distractor in item.distractors):
            parts.append(Message(DOMAIN, "grade.pair_distractor", {"left": left, "right": _show(given)}))
        else:
            parts.append(Message(DOMAIN, "grade.pair_wrong", {"left": left, "right": _show(given)}))
        if pair.feedback is not None:
            parts.append(pair.feedback.message())
    extra = [_show(k) for k in answer if k not in used_keys]
    if extra:
        parts.append(Message(DOMAIN, "grade.pair_unknown_left", {"lefts": ", ".join(extra)}))
    if right_count == len(item.pairs) and not extra:
        return 1.0, [Message(DOMAIN, "grade.correct"), *parts]
    return right_count / len(item.pairs), [
        Message(DOMAIN, "grade.pairs_right", {"right": right_count, "total": len(item.pairs)}),
        *parts,
    ]
