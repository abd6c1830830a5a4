"""Quizzes (docs/contract.md, "Quizzes"): model, located-error loader, grading, taking, exports."""

from activation_lab.quiz.model import (
    Accept,
    AnswerTolerance,
    Choice,
    Item,
    LocalizedText,
    Matching,
    MultipleSelect,
    Numeric,
    NumericAnswer,
    Pair,
    Quiz,
    ShortText,
    SingleChoice,
    WrongValue,
)

__all__ = [
    "Accept",
    "AnswerTolerance",
    "Choice",
    "Item",
    "LocalizedText",
    "Matching",
    "MultipleSelect",
    "Numeric",
    "NumericAnswer",
    "Pair",
    "Quiz",
    "ShortText",
    "SingleChoice",
    "WrongValue",
]
