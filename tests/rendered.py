"""Test support: engine records with every message rendered as text, so tests read what a person reads.

The engine's records carry ``Message`` values (rendered only at the edges); a test that checks wording renders
them here in one language, exactly as ``report_to_json`` does.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from activation_lab.i18n import render
from activation_lab.records import CheckOutcome, ExerciseResult, QuizItemResult, QuizResult


def rendered(value: Any, lang: str = "en") -> Any:
    """``value`` (an exercise or quiz result, an item, or a dict of them) with its messages as text."""
    if isinstance(value, dict):
        return {key: rendered(item, lang) for key, item in value.items()}
    if isinstance(value, ExerciseResult):
        return dataclasses.replace(
            value,
            tests=tuple(rendered(test, lang) for test in value.tests),
            notes=tuple(render(note, lang) for note in value.notes),
        )
    if isinstance(value, CheckOutcome):
        return dataclasses.replace(
            value, name=render(value.name, lang), feedback=render(value.feedback, lang)
        )
    if isinstance(value, QuizResult):
        return dataclasses.replace(value, items=tuple(rendered(item, lang) for item in value.items))
    if isinstance(value, QuizItemResult):
        return dataclasses.replace(value, feedback=render(value.feedback, lang))
    raise TypeError(f"nothing to render in {type(value).__name__}")
