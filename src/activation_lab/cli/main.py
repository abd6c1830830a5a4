"""The command line: the only place that prints, colours, and turns outcomes into exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from activation_lab import __version__
from activation_lab.cli import grade as grade_cli
from activation_lab.cli import instructor as instructor_cli
from activation_lab.cli import openedx as openedx_cli
from activation_lab.cli import otter as otter_cli
from activation_lab.cli import quiz as quiz_cli
from activation_lab.cli import student as student_cli
from activation_lab.errors import ActivationLabError, CourseError, ExitCode, QuizError, UsageError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="activation-lab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"activation-lab {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    # Each area registers its own subcommands; see activation_lab.cli.grade and activation_lab.cli.quiz.
    for register in _registrars():
        register(subparsers)
    return parser


def _registrars() -> list[Callable[[Any], None]]:
    """Each area's ``add_parsers``: one line per command group."""
    return [
        grade_cli.add_parsers,
        quiz_cli.add_parsers,
        otter_cli.add_parsers,
        instructor_cli.add_parsers,
        openedx_cli.add_parsers,
        student_cli.add_parsers,
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run the subcommand, and map the project's exceptions to messages and exit codes."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        return int(args.handler(args))
    except QuizError as exc:
        print(f"activation-lab: {exc}", file=sys.stderr)
        return ExitCode.INVALID
    except UsageError as exc:
        print(f"activation-lab: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except CourseError as exc:
        print(f"activation-lab: course content error: {exc}", file=sys.stderr)
        return ExitCode.GRADER_FAULT
    except ActivationLabError as exc:
        print(f"activation-lab: {exc}", file=sys.stderr)
        return ExitCode.GRADER_FAULT
    except KeyboardInterrupt:
        print("activation-lab: interrupted; finished results are kept", file=sys.stderr)
        return ExitCode.INTERRUPTED
