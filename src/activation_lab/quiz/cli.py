"""``activation-lab quiz ...``: validate, grade, take; export and stats are hooks into their own modules.

Hooks for the exports/stats engineer (imported lazily, so a missing module only breaks its own subcommand):

    activation_lab.quiz.export_olx.export(quiz: Quiz, out_dir: Path, *, lang: str, kind: str = "library",
                                          tarball: bool = True) -> list[Path]
        kind is "library" or "course"; returns the paths written (folder and, when tarball, the .tar.gz).
    activation_lab.quiz.export_qti.export(quiz: Quiz, out_dir: Path, *, lang: str) -> list[Path]
        returns the paths written (the content package folder and/or .zip).
    activation_lab.quiz.stats.run(answers_dir: Path, quizzes: list[Quiz], out_dir: Path, *, lang: str)
                                  -> list[Path]
        item analysis of every answers file under answers_dir; returns the CSV/PNG paths written.

The CLI loads quizzes with ``load.load_quiz(path)`` (raises QuizError) and prints the returned paths.
"""

from __future__ import annotations

import argparse


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``quiz`` and its subcommands (being written)."""
    subparsers.add_parser("quiz", help="validate, grade, take and export quizzes")
