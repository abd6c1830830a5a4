"""The command line: the only place that prints, colours, and turns outcomes into exit codes."""

from __future__ import annotations

import argparse
import sys

from activation_lab import __version__
from activation_lab.errors import ActivationLabError, CourseError, QuizError, UsageError

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INVALID = 1  # a quiz or answers file is malformed (validate)
EXIT_GRADER_FAULT = 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="activation-lab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"activation-lab {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    # Each area registers its own subcommands; see activation_lab.grade_cli and activation_lab.quiz.cli.
    for register in _registrars():
        register(subparsers)
    return parser


def _registrars():  # type: ignore[no-untyped-def]
    registrars = []
    try:
        from activation_lab import grade_cli

        registrars.append(grade_cli.add_parsers)
    except ImportError:  # pragma: no cover - during bootstrap only
        pass
    try:
        from activation_lab.quiz import cli as quiz_cli

        registrars.append(quiz_cli.add_parsers)
    except ImportError:  # pragma: no cover - during bootstrap only
        pass
    registrars.append(__import__("activation_lab.otter_cli", fromlist=["add_parsers"]).add_parsers)
    registrars.append(__import__("activation_lab.openedx_cli", fromlist=["add_parsers"]).add_parsers)
    return registrars


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
        return EXIT_INVALID
    except UsageError as exc:
        print(f"activation-lab: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CourseError as exc:
        print(f"activation-lab: course content error: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    except ActivationLabError as exc:
        print(f"activation-lab: {exc}", file=sys.stderr)
        return EXIT_GRADER_FAULT
    except KeyboardInterrupt:
        print("activation-lab: interrupted; finished results are kept", file=sys.stderr)
        return 130
