"""``activation-lab release`` and ``check``: what students receive, and what they can see of the grading."""

from __future__ import annotations

import argparse
from pathlib import Path

from activation_lab.errors import UsageError
from activation_lab.i18n import default_language, message


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``release`` and ``check``."""
    release = subparsers.add_parser(
        "release",
        help="build the student handout (folder OUT and OUT.zip)",
        description="Write the student handout: stubs, public self-check, notebook, keyless quizzes, "
        "answers.yaml template and the bilingual README with every graded test. No solutions, hidden tests "
        "or quiz keys.",
    )
    release.add_argument("out", type=Path, metavar="OUT")
    release.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    release.add_argument("--lang", choices=("ko", "en"), default=None, help="language of the summary line")
    release.set_defaults(handler=run_release)

    check = subparsers.add_parser(
        "check",
        help="publish what is graded (--list), or draw a student's figures over the lecture's (DIR --plot)",
    )
    check.add_argument("folder", nargs="?", type=Path, metavar="DIR", help="a student folder (with --plot)")
    check.add_argument(
        "--list", action="store_true", help="every hidden test's title and points, and the rules"
    )
    check.add_argument(
        "--plot", action="store_true", help="write a PNG per plot function: yours over the lecture's"
    )
    check.add_argument("--out", type=Path, default=None, help="folder of the PNGs (default: DIR/plot-check)")
    check.add_argument(
        "--lang", choices=("ko", "en"), default=None, help="language (default: from the locale)"
    )
    check.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    check.set_defaults(handler=run_check)


def run_release(args: argparse.Namespace) -> int:
    """Build the handout and say where it is."""
    from activation_lab.course import load_course
    from activation_lab.handout.build import build_handout

    lang = args.lang or default_language()
    handout = build_handout(load_course(args.course), args.out)
    print(
        message(
            "handout",
            "release.written",
            lang,
            folder=handout.folder,
            zip=handout.zip_path,
            files=len(handout.files),
        )
    )
    return 0


def run_check(args: argparse.Namespace) -> int:
    """``--list``: print the graded tests; ``DIR --plot``: write the overlay PNGs."""
    from activation_lab.course import load_course

    lang = args.lang or default_language()
    if not args.list and not args.plot:
        raise UsageError("check: give --list, or DIR --plot (grade a folder with `activation-lab grade DIR`)")
    if args.plot and args.folder is None:
        raise UsageError("check --plot needs the student folder DIR")
    course = load_course(args.course)
    if args.list:
        from activation_lab.handout.build import graded_section
        from activation_lab.handout.published import published_tests

        print(graded_section(course, published_tests(course), lang), end="")
    if args.plot:
        from activation_lab.grading.grade import make_context
        from activation_lab.handout.overlay import write_overlays

        if not args.folder.is_dir():
            raise UsageError(f"{args.folder} is not a folder")
        ctx = make_context(args.course, quizzes=False)  # the figures only: no quiz is read
        out = args.out if args.out is not None else args.folder / "plot-check"
        for overlay in write_overlays(args.folder, out, ctx, lang):
            print(message("handout", "plot.written", lang, path=overlay.png))
            for line in overlay.differences or ((overlay.problem,) if overlay.problem else ()):
                print("  " + line)
    return 0
