"""The instructor's commands: ``course check``, ``gradebook`` (exports from a results folder), ``report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from activation_lab.display import visible
from activation_lab.errors import UsageError
from activation_lab.i18n import default_language

EXIT_OK = 0
EXIT_CHECK_FAILED = 1


def add_gradebook_options(parser: argparse.ArgumentParser) -> None:
    """The roster and export options shared by ``grade --out`` and ``gradebook``."""
    parser.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV with id, name, email[, submission pattern]: rows follow it; mismatches are reported",
    )
    parser.add_argument(
        "--gradebook",
        action="append",
        default=[],
        metavar="FORMAT",
        help="also write DIR/gradebook-FORMAT.csv: spreadsheet, openedx, canvas, moodle, gradescope "
        "(repeatable; docs/gradebook.md)",
    )
    parser.add_argument(
        "--assignment", default="Activation Lab", help="assignment / grade item name in exports"
    )
    parser.add_argument("--openedx-course-id", default="", help="course id for the openedx export")
    parser.add_argument(
        "--openedx-subsection",
        default="",
        help="first 8 characters of the graded subsection's block id (openedx)",
    )
    parser.add_argument(
        "--no-bom", action="store_true", help="spreadsheet export without the UTF-8 BOM (default: with BOM)"
    )


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``course check``, ``gradebook`` and ``report``."""
    course = subparsers.add_parser("course", help="check the course content (manifest, suites, quizzes)")
    commands = course.add_subparsers(dest="course_command", required=True)
    check = commands.add_parser(
        "check",
        help="references earn full marks, stubs score 0, quizzes validate, keys agree with solutions/",
        description="Check the course before a semester. Exit 0 when every check holds, 1 otherwise.",
    )
    check.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    check.set_defaults(handler=run_course_check)

    gradebook = subparsers.add_parser(
        "gradebook",
        help="rewrite grades.csv and LMS exports from a results folder (no regrading)",
        description="Read OUT/*.json (written by `grade --out OUT`) and write grades.csv and the exports.",
    )
    gradebook.add_argument("out", type=Path, metavar="OUT")
    gradebook.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    add_gradebook_options(gradebook)
    gradebook.set_defaults(handler=run_gradebook)

    report = subparsers.add_parser(
        "report",
        help="write the class report OUT/report.html (and OUT/report-tests.csv) from a results folder",
        description="Read OUT/*.json (written by `grade --out OUT`) and write one self-contained HTML page.",
    )
    report.add_argument("out", type=Path, metavar="OUT")
    report.add_argument(
        "--answers", type=Path, default=None, help="class folder with <student>/answers.yaml (distractor use)"
    )
    report.add_argument("--lang", choices=("ko", "en"), help="page language (default: from the locale)")
    report.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    report.set_defaults(handler=run_report)


def run_course_check(args: argparse.Namespace) -> int:
    """Print one line per check; exit 1 when any fails."""
    from activation_lab.grading.course_check import check_course

    findings = check_course(args.course, default_language())
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        print(f"{mark} {finding.name}" + (f": {finding.detail}" if finding.detail else ""))
    failed = sum(1 for f in findings if not f.ok)
    print(f"{len(findings) - failed} of {len(findings)} checks hold", file=sys.stderr)
    return EXIT_OK if not failed else EXIT_CHECK_FAILED


def write_exports(args: argparse.Namespace, out: Path, exercise_ids: list[str]) -> None:
    """Write grades.csv (roster order) and the requested exports into ``out``; report roster problems."""
    from activation_lab.reports.gradebook import EXPORT_FORMATS, ExportOptions, write_gradebook
    from activation_lab.reports.roster import load_roster

    formats = [f.strip() for value in args.gradebook for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise UsageError(f"unknown --gradebook format {unknown[0]!r} (one of {', '.join(EXPORT_FORMATS)})")
    students = load_roster(args.roster) if args.roster is not None else None
    options = ExportOptions(
        assignment=args.assignment,
        openedx_course_id=args.openedx_course_id,
        openedx_subsection=args.openedx_subsection,
        bom=not args.no_bom,
    )
    written = write_gradebook(out, exercise_ids, students=students, formats=formats, options=options)
    for line in written.problems:
        print(f"roster: {visible(line)}", file=sys.stderr)
    for path in written.files:
        print(f"wrote {path}", file=sys.stderr)


def run_gradebook(args: argparse.Namespace) -> int:
    """Rebuild grades.csv and exports from a results folder."""
    from activation_lab.course import load_course

    if not args.out.is_dir():
        raise UsageError(
            f"{args.out} is not a results folder (run `activation-lab grade ... --out {args.out}`)"
        )
    course = load_course(args.course)
    write_exports(args, args.out, [spec.id for spec in course.exercises])
    return EXIT_OK


def write_class_report(out: Path, course: object, lang: str, answers_dir: Path | None = None) -> Path:
    """Write OUT/report.html and OUT/report-tests.csv from the reports in OUT; say where."""
    from activation_lab.grading.grade import load_course_quizzes as load_quizzes
    from activation_lab.reports.class_html import write_class_report as write
    from activation_lab.reports.gradebook import read_reports

    reports = read_reports(out)
    if not reports:
        raise UsageError(f"{out} holds no report (run `activation-lab grade ... --out {out}` first)")
    quizzes = load_quizzes(course)[0] if answers_dir is not None else ()  # type: ignore[arg-type]
    exercise_ids = [spec.id for spec in course.exercises]  # type: ignore[attr-defined]
    page, table = write(out, reports, exercise_ids, lang, answers_dir=answers_dir, quizzes=quizzes)
    print(f"wrote {page} and {table}", file=sys.stderr)
    return page


def run_report(args: argparse.Namespace) -> int:
    """The class report of a results folder."""
    from activation_lab.course import load_course

    if not args.out.is_dir():
        raise UsageError(
            f"{args.out} is not a results folder (run `activation-lab grade ... --out {args.out}`)"
        )
    write_class_report(args.out, load_course(args.course), args.lang or default_language(), args.answers)
    return EXIT_OK
