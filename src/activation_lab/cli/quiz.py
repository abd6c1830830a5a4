"""``activation-lab quiz ...``: validate, grade, take, export and stats.

Each subcommand loads the quizzes (``quiz.load``; a malformed file raises ``QuizError``), calls one engine
function (``quiz.grade.grade_answers``, ``quiz.take.take_quiz``, ``quiz.export.olx.export``,
``quiz.export.qti.export``, ``quiz.stats.run_analysis``) with ``--lang`` (default: the environment's
language) and prints what it returns: a table, JSON, or the paths written, one per line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from activation_lab.errors import ExitCode, QuizError, UsageError
from activation_lab.i18n import LANGUAGES, default_language, message, render

if TYPE_CHECKING:
    from activation_lab.quiz.model import Quiz

# The engine's quiz modules are imported by the subcommand that uses them: `activation-lab grade` registers
# these parsers too, and pays for none of them (stats brings NumPy, the exports lxml).


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``quiz`` and its subcommands on the main parser."""
    quiz = subparsers.add_parser("quiz", help="validate, grade, take, export and analyse quizzes")
    commands = quiz.add_subparsers(dest="quiz_command", required=True)

    validate = commands.add_parser("validate", help="check quiz files; exit 1 naming file, line and field")
    validate.add_argument("quizzes", nargs="+", type=Path, metavar="QUIZ.yaml")
    validate.add_argument("--strict", action="store_true", help="require Korean and English for every text")
    _add_lang(validate)
    validate.set_defaults(handler=run_validate)

    grade = commands.add_parser("grade", help="grade an answers.yaml against one quiz")
    grade.add_argument("quiz", type=Path, metavar="QUIZ.yaml")
    grade.add_argument("answers", type=Path, metavar="ANSWERS.yaml")
    grade.add_argument("--format", choices=("json", "table"), default="table")
    _add_lang(grade)
    grade.set_defaults(handler=run_grade)

    take = commands.add_parser("take", help="take a quiz in the terminal and write answers.yaml")
    take.add_argument("quiz", type=Path, metavar="QUIZ.yaml")
    take.add_argument("--student", default="", help="student id: fixes the (shuffled) choice order")
    take.add_argument("--exam", action="store_true", help="no feedback or score at the end")
    take.add_argument("--out", type=Path, default=Path("answers.yaml"), help="where to write the answers")
    _add_lang(take)
    take.set_defaults(handler=run_take)

    export = commands.add_parser("export", help="export a quiz to Open edX OLX or IMS QTI 2.1")
    export.add_argument("quiz", type=Path, metavar="QUIZ.yaml")
    export.add_argument("--to", choices=("olx", "qti"), required=True, dest="target")
    export.add_argument("--out", type=Path, default=Path("export"), help="output folder")
    export.add_argument("--olx-kind", choices=("library", "course"), default="library")
    export.add_argument("--no-tar", action="store_true", help="OLX: do not also write a .tar.gz")
    _add_lang(export)
    export.set_defaults(handler=run_export)

    stats = commands.add_parser("stats", help="item analysis of a class's answers files")
    stats.add_argument("answers_dir", type=Path, metavar="ANSWERS_DIR")
    stats.add_argument("--quiz", type=Path, action="append", default=[], help="quiz file (repeatable)")
    stats.add_argument("--quizzes-dir", type=Path, default=None, help="default: the course's quizzes/")
    stats.add_argument("--out", type=Path, default=Path("quiz-stats"), help="output folder")
    _add_lang(stats)
    stats.set_defaults(handler=run_stats)


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="language (default: environment)")


def _lang(args: argparse.Namespace) -> str:
    return args.lang or default_language()


def run_validate(args: argparse.Namespace) -> int:
    """Validate every file; print one line per problem (stderr) and one OK line per clean file (stdout)."""
    from activation_lab.quiz.load import check_quiz_file, cross_quiz_problems

    lang = _lang(args)
    failed = False
    quizzes: list[Quiz] = []
    for path in args.quizzes:
        quiz, problems = check_quiz_file(path, strict=args.strict)
        for problem in sorted(problems, key=lambda p: p.line):
            print(problem.render(lang), file=sys.stderr)
        if quiz is None:
            failed = True
            continue
        quizzes.append(quiz)
        print(
            message(
                "quiz", "cli.valid", lang, file=str(path), items=len(quiz.items), points=f"{quiz.max_score:g}"
            )
        )
    for problem in cross_quiz_problems(quizzes):
        failed = True
        print(problem.render(lang), file=sys.stderr)
    return ExitCode.INVALID if failed else ExitCode.OK


def run_grade(args: argparse.Namespace) -> int:
    """Grade one answers file and print the result as JSON or a table."""
    from activation_lab.quiz.grade import grade_answers, result_as_dict
    from activation_lab.quiz.load import load_quiz

    lang = _lang(args)
    quiz = load_quiz(args.quiz, lang=lang)
    try:
        text = args.answers.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(message("quiz", "cli.no_such_file", lang, file=str(args.answers))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuizError(f"{args.answers}: {exc}") from None
    result = grade_answers(quiz, text, name=str(args.answers))
    if args.format == "json":
        import json

        print(json.dumps(result_as_dict(result, lang), ensure_ascii=False, indent=2))
        return ExitCode.OK
    from rich.console import Console
    from rich.table import Table

    from activation_lab.display import inert

    table = Table(title=inert(quiz.title.text(lang)), show_lines=True)
    table.add_column(message("quiz", "cli.column_item", lang))
    table.add_column(message("quiz", "cli.column_score", lang), justify="right")
    table.add_column(message("quiz", "cli.column_feedback", lang))
    for item in result.items:
        feedback = inert(render(item.feedback, lang), keep_newlines=True)  # quotes the student's answer
        table.add_row(inert(item.id), f"{item.score:g} / {item.max_score:g}", feedback)
    console = Console()
    console.print(table)
    console.print(
        message("quiz", "cli.total", lang, score=f"{result.score:g}", max_score=f"{result.max_score:g}")
    )
    return ExitCode.OK


def run_take(args: argparse.Namespace) -> int:
    """Run the interactive quiz (``quiz.take``)."""
    from activation_lab.quiz import take
    from activation_lab.quiz.load import load_quiz

    lang = _lang(args)
    quiz = load_quiz(args.quiz, lang=lang)
    return take.take_quiz(quiz, lang=lang, student=args.student, exam=args.exam, out=args.out)


def run_export(args: argparse.Namespace) -> int:
    """Export one quiz with ``export_olx.export`` or ``export_qti.export``; print the paths written."""
    from activation_lab.quiz.export import olx as export_olx
    from activation_lab.quiz.export import qti as export_qti
    from activation_lab.quiz.load import load_quiz

    lang = _lang(args)
    quiz = load_quiz(args.quiz, lang=lang)
    if args.target == "olx":
        written = export_olx.export(quiz, args.out, lang=lang, kind=args.olx_kind, tarball=not args.no_tar)
    else:
        written = export_qti.export(quiz, args.out, lang=lang)
    for path in written:
        print(path)
    return ExitCode.OK


def run_stats(args: argparse.Namespace) -> int:
    """Item analysis with ``stats.run_analysis``; print the paths written."""
    from activation_lab.quiz import stats
    from activation_lab.quiz.load import load_quiz, load_quizzes

    lang = _lang(args)
    if args.quiz:
        quizzes = [load_quiz(path, lang=lang) for path in args.quiz]
    else:
        folder = args.quizzes_dir
        if folder is None:
            from activation_lab.course import default_course_root

            folder = default_course_root() / "quizzes"
        quizzes = load_quizzes(folder, lang=lang)
    for path in stats.run_analysis(args.answers_dir, quizzes, args.out, lang=lang).paths:
        print(path)
    return ExitCode.OK
