"""Quizzes (CONTRACT §4): the model, the located-error loader, grading, interactive taking, and exports."""

from activation_lab.quiz.model import (
    Accept,
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
    Tolerance,
    WrongValue,
)

__all__ = [
    "Accept",
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
    "Tolerance",
    "WrongValue",
]
