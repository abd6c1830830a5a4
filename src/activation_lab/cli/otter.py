"""``activation-lab otter generate``: write an otter-grader assignment and its autograder.zip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from activation_lab.errors import ExitCode
from activation_lab.i18n import default_language, message


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``otter generate``."""
    otter = subparsers.add_parser(
        "otter",
        help="build an otter-grader autograder.zip that grades with activation-lab's sandbox",
        description="Bridge to otter-grader (docs/otter.md).",
    )
    commands = otter.add_subparsers(dest="otter_command", required=True)
    generate = commands.add_parser(
        "generate",
        help="write an otter assignment folder and run `otter generate` to build autograder.zip",
        description=(
            "Write tests/ (one otter test file per exercise, one test case per test of our suites), the "
            "course content, a wheel of activation-lab and requirements.txt, then run `otter generate`."
        ),
    )
    generate.add_argument(
        "--out", type=Path, default=Path("otter"), help="assignment folder (default: ./otter)"
    )
    generate.add_argument(
        "--exercise",
        action="append",
        default=[],
        metavar="ID",
        help="only this exercise (repeatable; default: every exercise of the course)",
    )
    generate.add_argument(
        "--wheel", type=Path, default=None, help="ship this activation-lab wheel (default: build one)"
    )
    generate.add_argument("--lang", choices=("ko", "en"), help="feedback language (default: from the locale)")
    generate.add_argument("--seed", type=int, default=0, help="seed of the random test inputs (default: 0)")
    generate.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    generate.set_defaults(handler=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Generate the assignment; print where it is."""
    from activation_lab.course import load_course
    from activation_lab.integrations.otter.generate import generate_assignment

    lang = args.lang or default_language()
    assignment = generate_assignment(
        load_course(args.course), args.out, lang=lang, seed=args.seed, wheel=args.wheel, only=args.exercise
    )
    print(
        message("otter", "cli.written", lang, folder=assignment.folder, zip=assignment.autograder_zip),
        file=sys.stderr,
    )
    print(message("otter", "cli.weaker", lang), file=sys.stderr)
    return ExitCode.OK
