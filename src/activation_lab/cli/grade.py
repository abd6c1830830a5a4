"""``activation-lab grade`` and ``gradescope``: options, progress bar, table or JSON output, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activation_lab.display import visible
from activation_lab.errors import ExitCode, UsageError
from activation_lab.i18n import default_language, message
from activation_lab.reports.gradescope import HIDDEN_VISIBILITIES, RESULTS_FILE, SUBMISSION_DIR

EXIT_CODES_HELP = """\
exit codes:
  0    every PATH was graded, whatever the scores (an unreadable or missing PATH is a report
       with status "error")
  2    usage error (bad option, --resume without --out, a class folder mixing exercise files and
       other submissions without --layout)
  3    grader fault: broken course content (manifest, suites, quizzes) or the grader failed on a submission
       (that submission's report has "error_kind": "grader")
  130  interrupted (Ctrl-C); every finished result in --out is kept; rerun with --resume

A directory PATH that directly holds exercise files or answers.yaml is one submission; a directory
of sub-folders, .zip, .ipynb and .py files is a class: each entry is one submission (docs/grading.md).
A folder holding both is refused (exit 2) unless --layout class|submission says how to read it.
"""


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("ko", "en"), help="feedback language (default: from the locale)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random test inputs (default: 0)")
    parser.add_argument(
        "--course",
        type=Path,
        default=None,
        help="course root holding autograder/, solutions/, quizzes/ (default: this checkout)",
    )


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``grade`` and ``gradescope``."""
    grade = subparsers.add_parser(
        "grade",
        help="grade submissions or a class folder (sandboxed)",
        description="Grade each PATH (folder, .zip, .py, .ipynb; a class folder is expanded) in the sandbox.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    grade.add_argument(
        "--out", type=Path, default=None, help="write DIR/<submission>.json and DIR/grades.csv"
    )
    grade.add_argument("--jobs", type=int, default=None, help="worker processes (default: number of cores)")
    grade.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or one JSON array on stdout, one object per submission",
    )
    grade.add_argument(
        "--layout",
        choices=("auto", "class", "submission"),
        default="auto",
        help="how a directory PATH is read: auto (default: the class-folder rule; a folder mixing exercise "
        "files with other submissions is refused), class (each entry is one submission) or submission "
        "(the folder is one submission)",
    )
    grade.add_argument(
        "--resume",
        action="store_true",
        help="skip submissions whose report in --out is up to date (same content, suites, seed); "
        "a report asked for in another --lang is rendered again without running the code again",
    )
    grade.add_argument(
        "--report", action="store_true", help="also write the class report DIR/report.html (needs --out)"
    )
    from activation_lab.cli.instructor import add_gradebook_options

    add_gradebook_options(grade)
    _common_options(grade)
    grade.set_defaults(handler=run_grade)

    gradescope = subparsers.add_parser(
        "gradescope",
        help="grade inside a Gradescope autograder and write results.json",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gradescope.add_argument("--submission", type=Path, default=Path(SUBMISSION_DIR))
    gradescope.add_argument("--results", type=Path, default=Path(RESULTS_FILE))
    gradescope.add_argument(
        "--hidden-visibility",
        choices=HIDDEN_VISIBILITIES,
        default=None,
        help="Gradescope visibility of hidden tests and quiz items (default: the course's "
        "[grading] hidden_visibility, else after_published)",
    )
    _common_options(gradescope)
    gradescope.set_defaults(handler=run_gradescope)
    build = gradescope.add_subparsers(dest="gradescope_command", required=False, metavar="build")
    build_zip = build.add_parser(
        "build",
        help="write a Gradescope autograder zip (setup.sh, run_autograder, a wheel with the course)",
        description="Build OUT.zip for Gradescope's autograder upload (docs/gradescope.md).",
    )
    build_zip.add_argument("zip", type=Path, metavar="OUT.zip")
    build_zip.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    build_zip.add_argument("--lang", choices=("ko", "en"), help="feedback language (default: the locale's)")
    build_zip.add_argument("--seed", type=int, default=None, help="seed of the random test inputs")
    build_zip.set_defaults(handler=run_gradescope_build)


def _context(args: argparse.Namespace, lang: str) -> Any:
    from activation_lab.grading.grade import DEFAULT_SEED, make_context

    seed = DEFAULT_SEED if args.seed is None else args.seed
    ctx = make_context(args.course, seed=seed, quiz_cache=True)  # validated quizzes kept by content
    from activation_lab.sandbox.session import isolation_warning

    warning = isolation_warning(ctx.isolation, lang)
    if warning is not None:  # unshare or none: say so loudly, every run
        print(warning, file=sys.stderr)
    return ctx


class _Progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int) -> None:
        if total < 2:  # one submission: no bar, and no rich to import
            return
        from rich.console import Console

        self.console = Console(stderr=True)
        if not self.console.is_terminal:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("{task.description}", markup=False),  # descriptions are submission names
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(message("grading", "progress.grading", self.lang), total=total)

    def advance(self, report: Any) -> None:
        if self.bar is not None:
            name = visible(str(report["submission"])[:30])
            self.bar.update(self.task, advance=1, description=name)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_reports(reports: list[Any], output_format: str, ctx: Any, lang: str, detail: Any = None) -> None:
    if output_format == "json":
        from activation_lab.reports.report import dumps_report

        sys.stdout.write(dumps_report(reports))
        sys.stdout.flush()
        return
    from rich.console import Console

    from activation_lab.cli.tables import detail_table, plain_summary, summary_table

    console = Console()
    if not console.is_terminal:  # piped to a file or a pager: do not squeeze the table into 80 columns
        console = Console(width=140)
    exercise_ids = [spec.id for spec in ctx.course.exercises]
    if len(reports) == 1:
        console.print(detail_table(detail if detail is not None else reports[0], lang))
    plain = None
    if console.color_system is None and not console.is_terminal and not console.legacy_windows:
        plain = plain_summary(reports, exercise_ids, lang, console.width)  # rich's characters, sooner
    if plain is None:
        console.print(summary_table(reports, exercise_ids, lang))
    else:
        console.file.write(plain)
        console.file.flush()


def _stream_json(
    out_dir: Path, names: Sequence[str], held: Sequence[Any], written: Sequence[str] = ()
) -> None:
    """The JSON array of every report, read back one at a time from the files the batch wrote.

    The same text as ``dumps_report(reports)``, without holding a class's reports in memory together; a
    file that cannot be read back (removed meanwhile) is given as what the batch held of it. A file whose
    text is still the one this run wrote (``written``: its digest) is copied as it is, indented one level
    deeper (``dumps_report`` of what it holds would give those very bytes, at ten times the cost).
    """
    from activation_lab.reports.report import dumps_report, read_report

    if not names:
        sys.stdout.write(dumps_report([]))
        return
    digests = list(written) or [""] * len(names)
    for position, (name, summary, digest) in enumerate(zip(names, held, digests, strict=True)):
        path = out_dir / f"{name}.json"
        element = _as_element(path, digest) if digest else None
        if element is None:
            report = read_report(path)
            element = dumps_report([summary if report is None else report])[2:-3]  # "[\n" ... "\n]\n"
        sys.stdout.write(("[\n" if position == 0 else ",\n") + element)
    sys.stdout.write("\n]\n")
    sys.stdout.flush()


def _as_element(path: Path, digest: str) -> str | None:
    """The report at ``path`` as an element of the JSON array, if its text is the one with ``digest``."""
    from activation_lab.reports.report import text_digest

    try:
        data = path.read_bytes()
    except OSError:
        return None
    if text_digest(data) != digest or not data.endswith(b"\n"):
        return None
    # a JSON text has no raw newline inside a string: every newline is indentation, one level deeper here
    return "  " + data[:-1].decode("utf-8").replace("\n", "\n  ")


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_blas() -> None:
    """One BLAS thread for the grading processes, unless the environment says otherwise.

    Set before NumPy is imported. The suites work on arrays of a few elements: OpenBLAS's extra thread
    only spins after each call (measured: 1.6 % of the trusted side's CPU in a batch) and is one more
    thread per process. The sandbox's workers run with one thread already.
    """
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")


def run_grade(args: argparse.Namespace) -> int:
    """Grade every PATH; print a table or a JSON array; return the exit code."""
    from activation_lab.sandbox.isolation import probe_in_background

    probe_in_background()  # bubblewrap's 30-40 ms probe runs while the grading engine is imported
    single_threaded_blas()
    from activation_lab.grading.batch import grade_batch, report_summary

    lang = args.lang or default_language()
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out DIR (the folder whose results it continues)")
    if args.out is None and (args.roster or args.gradebook or args.report):
        raise UsageError("--roster, --gradebook and --report need --out DIR")
    if args.roster is not None:
        from activation_lab.reports.roster import load_roster

        load_roster(args.roster)  # a broken roster stops here, before any grading
    ctx = _context(args, lang)
    progress = _Progress(lang)
    # A class's full reports are in their files: the parent holds only what its table needs (and the first
    # report whole, for the detail table of a single submission), or all of them for JSON with no files.
    first: list[Any] = []

    def keep(report: Any) -> Any:
        if not first:
            first.append(report)
        return report_summary(report)

    streamed = args.format == "json" and args.out is not None
    try:
        result = grade_batch(
            args.paths,
            ctx,
            lang=lang,
            jobs=args.jobs,
            out_dir=args.out,
            resume=args.resume,
            on_start=progress.start,
            on_result=progress.advance,
            layout=args.layout,
            keep=keep if args.format == "table" or streamed else None,
        )
    except KeyboardInterrupt:
        progress.stop()
        print(message("grading", "cli.interrupted", lang, out=args.out or "-"), file=sys.stderr)
        return ExitCode.INTERRUPTED
    progress.stop()
    reports = list(result.reports)
    try:
        if streamed:
            _stream_json(args.out, result.names, reports, result.written)
        else:
            _print_reports(reports, args.format, ctx, lang, first[0] if len(reports) == 1 and first else None)
    except BrokenPipeError:  # `activation-lab grade ... | head`: the reader left; the results are complete
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if result.resumed:
        print(message("grading", "cli.resumed", lang, count=result.resumed, out=args.out), file=sys.stderr)
    if args.out is not None and (args.roster or args.gradebook):
        from activation_lab.cli.instructor import write_exports

        write_exports(args, args.out, [spec.id for spec in ctx.course.exercises])
    if args.out is not None and args.report:
        from activation_lab.cli.instructor import write_class_report

        folders = [path for path in args.paths if path.is_dir()]
        write_class_report(args.out, ctx.course, lang, folders[0] if len(folders) == 1 else None)
    if args.out is not None and args.format == "table":
        print(message("grading", "cli.written", lang, out=args.out, count=len(reports)), file=sys.stderr)
    if result.grader_faults:
        print(message("grading", "cli.grader_faults", lang, count=result.grader_faults), file=sys.stderr)
        return ExitCode.GRADER_FAULT
    return ExitCode.OK


def gradescope_target(submission_dir: Path, student_files: tuple[str, ...]) -> Path:
    """What to grade in Gradescope's submission folder: the folder, or its single .zip/.ipynb/.py upload."""
    from activation_lab.grading.batch import MixedFolderError, expand_paths

    try:
        entries = expand_paths([submission_dir], student_files)
    except MixedFolderError:  # Gradescope's folder always belongs to one student
        return submission_dir
    return entries[0] if len(entries) == 1 else submission_dir


def run_gradescope(args: argparse.Namespace) -> int:
    """Grade Gradescope's submission folder and write results.json atomically."""
    from activation_lab.fsutil import write_atomic
    from activation_lab.grading.grade import grade_path
    from activation_lab.reports.gradescope import results_json
    from activation_lab.reports.report import dumps_report, report_to_json

    lang = args.lang or default_language()
    started = time.monotonic()
    ctx = _context(args, lang)
    report = report_to_json(
        grade_path(gradescope_target(args.submission, ctx.course.student_files), ctx), lang
    )
    if report["error_kind"] == "grader":
        # No results.json: Gradescope then reports a failed autograder instead of recording a zero.
        print(f"activation-lab: {visible(report['error'], keep_newlines=True)}", file=sys.stderr)
        return ExitCode.GRADER_FAULT
    visibility = args.hidden_visibility or ctx.course.hidden_visibility
    results = results_json(
        report, lang=lang, execution_time=time.monotonic() - started, hidden_visibility=visibility
    )
    write_atomic(args.results, dumps_report(results))
    return ExitCode.OK


def run_gradescope_build(args: argparse.Namespace) -> int:
    """Build the Gradescope autograder zip."""
    from activation_lab.course import load_course
    from activation_lab.integrations.gradescope_build import build_autograder_zip

    path = build_autograder_zip(load_course(args.course), args.zip, lang=args.lang, seed=args.seed)
    print(f"wrote {path}: upload it as the Gradescope autograder (docs/gradescope.md)", file=sys.stderr)
    return ExitCode.OK
