"""Load and validate quiz YAML with ruamel.yaml; every problem names file, line and field."""

from __future__ import annotations

from pathlib import Path

from activation_lab.quiz.model import Quiz


def load_quiz(path: str | Path, *, strict: bool = False) -> Quiz:
    """Read and validate one quiz file; raise ``QuizValidationError`` (a ``QuizError``) listing every problem."""
    raise NotImplementedError  # being written now; signature fixed
