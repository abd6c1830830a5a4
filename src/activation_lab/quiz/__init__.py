"""Quizzes (CONTRACT §4): the model, the located-error loader, grading, interactive taking, and exports."""

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
