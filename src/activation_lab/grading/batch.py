"""Grade many submissions: class folders expanded, a pool of trusted workers, atomic results, resume.

Why one long module: expanding a class, the forked workers, Ctrl-C and ``--resume`` share one ordering and one
set of result files; split, each piece would need the others' invariants restated.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import signal
import stat
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, cast

from activation_lab.errors import SubmissionError, UsageError
from activation_lab.grading import timing
from activation_lab.grading.grade import (
    GradingContext,
    Sandbox,
    error_report,
    grade_submission,
    grader_fault,
    prestart_workers,
    start_sandbox,
)
from activation_lab.records import SubmissionReport
from activation_lab.reports.gradebook import gradebook_fields
from activation_lab.reports.report import (
    ReportJSON,
    dumps_report,
    read_report,
    report_to_json,
    text_digest,
    write_report,
)
from activation_lab.reports.stored import dumps_records, read_records, records_path, write_records
from activation_lab.submissions.load import Submission, load_submission, unique_safe_names

GRADES_CSV = "grades.csv"
SUBMISSION_SUFFIXES = (".zip", ".ipynb", ".py")
ANSWERS_FILES = ("answers.yaml", "answers.yml")


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


LAYOUTS = ("auto", "class", "submission")


class MixedFolderError(UsageError):
    """A folder that could be one student's or a class: it holds exercise files and other submissions."""


def _visible_entries(folder: Path) -> list[Path]:
    return sorted(e for e in folder.iterdir() if not e.name.startswith((".", "__")))


def _is_link(entry: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(entry).st_mode)
    except OSError:
        return False


def _is_real_dir(entry: Path) -> bool:
    """A directory that is not a symbolic link (a link is never followed, whatever it points to)."""
    try:
        return stat.S_ISDIR(os.lstat(entry).st_mode)
    except OSError:
        return False


def _submission_like(entry: Path) -> bool:
    # A link is listed (and refused by the loader as an error of its own) instead of being followed.
    return _is_link(entry) or _is_real_dir(entry) or entry.suffix.lower() in SUBMISSION_SUFFIXES


def _is_exercise_file(entry: Path, student_files: Sequence[str]) -> bool:
    from activation_lab.submissions.load import names_student_file

    if _is_link(entry) or _is_real_dir(entry):
        return False
    if entry.name.lower() in ANSWERS_FILES:
        return True
    # only .py names count here (Sigmoid.py, sigmoid (1).py); a step.txt beside a class is not a submission
    return entry.suffix.lower() == ".py" and any(
        names_student_file(entry.name, expected) for expected in student_files
    )


def _ignored_subfolder(entry: Path) -> bool:
    from activation_lab.submissions.load import JUNK_DIRS

    return _is_real_dir(entry) and entry.name in JUNK_DIRS


def read_folder(folder: Path, student_files: Sequence[str]) -> tuple[list[Path], list[Path]]:
    """The exercise files (and ``answers.yaml``) directly in ``folder``, and its other submission entries."""
    entries = [e for e in _visible_entries(folder) if not _ignored_subfolder(e)]
    exercise = [e for e in entries if _is_exercise_file(e, student_files)]
    others = [e for e in entries if e not in exercise and _submission_like(e)]
    return exercise, others


def is_class_folder(folder: Path, student_files: Sequence[str]) -> bool:
    """Whether a directory PATH is a class (a folder of submissions) rather than one submission.

    The rule (docs/grading.md): a folder that directly holds exercise files (any letter case, e.g.
    ``Sigmoid.py``) or ``answers.yaml`` and nothing else submission-like is one submission; so is a folder
    holding a single sub-folder and no other submission (a zipped folder unpacked: ``alice/alice/*.py``) and
    an empty folder. A folder of sub-folders, ``.zip``, ``.ipynb`` or ``.py`` entries and no exercise file is
    a class: each entry is one submission. A folder holding both raises :class:`MixedFolderError`: it is never
    guessed (``--layout`` says how to read it). A symbolic link is never a class.
    """
    if _is_link(folder) or not _is_real_dir(folder):
        return False
    exercise, others = read_folder(folder, student_files)
    if exercise and others:
        raise MixedFolderError(str(folder))
    if exercise:
        return False
    if len(others) == 1 and _is_real_dir(others[0]):
        return False
    return bool(others)


def expand_paths(
    paths: Sequence[Path], student_files: Sequence[str], *, layout: str = "auto", lang: str = "en"
) -> list[Path]:
    """The submissions named by PATHs, in order: a class folder becomes its entries, sorted by name.

    ``layout`` is ``auto`` (the class-folder rule; a mixed folder is refused with a ``MixedFolderError``
    whose message says how it was read and how to lay it out), ``class`` (every directory PATH is a class)
    or ``submission`` (every PATH is one submission).
    """
    if layout not in LAYOUTS:
        raise UsageError(f"--layout must be one of {', '.join(LAYOUTS)}")
    expanded: list[Path] = []
    for path in paths:
        path = Path(path)
        if layout == "submission" or _is_link(path):
            expanded.append(path)
        elif layout == "class":
            if _is_real_dir(path):
                expanded.extend(e for e in _visible_entries(path) if _submission_like(e))
            else:
                expanded.append(path)
        else:
            try:
                is_class = is_class_folder(path, student_files)
            except MixedFolderError:
                raise MixedFolderError(_mixed_message(path, student_files, lang)) from None
            if is_class:
                expanded.extend(e for e in _visible_entries(path) if _submission_like(e))
            else:
                expanded.append(path)
    return expanded


def _mixed_message(folder: Path, student_files: Sequence[str], lang: str) -> str:
    from activation_lab.display import visible
    from activation_lab.i18n import message

    exercise, others = read_folder(folder, student_files)

    def listing(entries: list[Path]) -> str:
        names = [visible(e.name) + ("/" if _is_real_dir(e) else "") for e in entries[:5]]
        return ", ".join(names) + (f", … (+{len(entries) - 5})" if len(entries) > 5 else "")

    return message(
        "grading",
        "layout.mixed",
        lang,
        path=visible(folder),
        exercise=listing(exercise),
        others=listing(others),
    )


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch produced: one report per PATH (in order), and how many were skipped by ``--resume``.

    ``reports`` holds what the caller's ``keep`` kept of each report (the whole report by default);
    ``names`` is each report's file name without ``.json`` in the output folder, in the same order;
    ``written`` the :func:`text_digest` of the JSON text this run wrote to that file (``""``: none written).
    """

    reports: tuple[ReportJSON, ...]
    resumed: int
    grader_faults: int
    names: tuple[str, ...] = ()
    written: tuple[str, ...] = ()


SUMMARY_KEYS = ("submission", "score", "max_score", "status", "error_kind")


def report_summary(report: ReportJSON) -> ReportJSON:
    """What the terminal's summary table and the exit status read of a report (the whole is in its file).

    A batch of a thousand submissions would otherwise hold a thousand full reports (tens of KB each, every
    test's feedback) in the parent until the end.
    """
    summary: dict[str, Any] = {key: report[key] for key in SUMMARY_KEYS if key in report}  # type: ignore[literal-required]
    summary["exercises"] = [
        {key: exercise[key] for key in ("id", "status", "score") if key in exercise}
        for exercise in report.get("exercises", [])
    ]
    quiz = report.get("quiz")
    summary["quiz"] = None if quiz is None else {"score": quiz["score"]}
    return cast(ReportJSON, summary)  # a partial report: the keys the table reads


@dataclass(frozen=True, slots=True)
class _Task:
    index: int
    path: Path
    submission: Submission | None  # None when loading failed
    report: SubmissionReport | None  # already decided (unreadable)


def _load(index: int, path: Path, ctx: GradingContext) -> _Task:
    try:
        submission = load_submission(path, ctx.course)
    except SubmissionError as exc:
        return _Task(index, path, None, error_report(path.name, ctx, str(exc), kind="submission"))
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        return _Task(index, path, None, error_report(path.name, ctx, detail, kind="grader"))
    if submission.status != "graded":
        return _Task(index, path, submission, grade_submission(submission, ctx))
    return _Task(index, path, submission, None)


def is_up_to_date(existing: ReportJSON | None, content_hash: str, ctx: GradingContext) -> bool:
    """Whether a stored report grades this exact content with these suites, seed and engine (any language)."""
    if existing is None or not content_hash or existing.get("error_kind") == "grader":
        return False
    if existing.get("content_hash") != content_hash:
        return False
    return all(existing.get(key) == value for key, value in ctx.cache_key.items())


def _result_names(tasks: Sequence[_Task]) -> list[str]:
    return unique_safe_names(
        [task.submission.name if task.submission is not None else task.path.name for task in tasks]
    )


class _Rendered(NamedTuple):
    """A report as a worker hands it to the parent: rendered in the batch's language and, when the batch
    writes files, already serialised, so the parent only writes bytes (and unpickles plain data, not the
    report's records)."""

    data: ReportJSON
    text: str | None  # dumps_report(data)
    records: str | None  # dumps_records(report), the unrendered form for --resume in another language


def _render(report: SubmissionReport, lang: str, files: bool) -> _Rendered | SubmissionReport:
    try:
        data = report_to_json(report, lang)
        if not files:
            return _Rendered(data, None, None)
        return _Rendered(data, dumps_report(data), dumps_records(report))
    except Exception:  # a report that does not render: the parent renders it again and says what broke
        return report


def _worker_init() -> None:
    # The parent handles Ctrl-C and stops the workers; workers must not print tracebacks or write to stdout
    # (which carries the JSON array), so anything pytest or a library prints there goes to /dev/null.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


PIN_ENV = "ACTIVATION_LAB_PIN"  # "0": grading workers neither keep a core of their own nor run SCHED_BATCH


def cpu_for(worker: int, jobs: int, cpus: Sequence[int]) -> int | None:
    """The core grading worker ``worker`` of ``jobs`` keeps, or ``None`` (more jobs than cores, or none)."""
    ordered = sorted(cpus)
    return ordered[worker] if jobs <= len(ordered) and 0 <= worker < jobs else None


def _pin(worker: int, jobs: int) -> None:
    """Keep this grading worker, and the sandboxes it starts, on one core of its own (when jobs <= cores).

    A submission is graded in a ping-pong between this worker and its sandbox's worker; on one core each
    hand-over wakes a process whose data is in the same cache, instead of another core (measured on two
    cores, ``--jobs 2``: 12-18 % less time per submission, alternating runs). The worker also runs under
    ``SCHED_BATCH``: a process woken by a reply does not preempt the one sending it, so the sandbox answers a
    batch of calls before the worker reads them, instead of a switch to and fro per reply (another 6-11 %).
    The sandbox inherits both when it starts (the zygote's state is recorded then and checked unchanged
    before every hand-over, as before); a student's threads then share that core.
    """
    if os.environ.get(PIN_ENV, "1").strip() == "0" or not hasattr(os, "sched_setaffinity"):
        return
    try:
        cpu = cpu_for(worker, jobs, list(os.sched_getaffinity(0)))
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except OSError:  # a container that refuses: the scheduler decides, as without pinning
        return


def _worker_loop(
    tasks: Any, results: Any, ctx: GradingContext, worker: int, lang: str, files: bool, pin_jobs: int = 0
) -> None:
    """One trusted worker: grade submissions from ``tasks``, post each report to ``results`` when done.

    The report is posted rendered in ``lang`` (and serialised when ``files``: the batch writes them), so the
    rendering of a class is shared by the workers instead of queued in the parent.

    While one submission is graded, the sandbox of the next is already starting (its NumPy import runs in
    parallel with this worker's grading), which hides most of the sandbox's start-up time. The worker
    inherits the suites collected and the references imported by its parent (``warm_up``), or collects them
    itself while its first sandbox starts, and keeps them for every submission it grades.
    """
    _worker_init()
    _pin(worker, pin_jobs)
    open_queue = True

    def take(block: bool) -> tuple[int, Submission, Sandbox | None] | None:
        nonlocal open_queue
        while open_queue:
            try:
                item = tasks.get(block=block)
            except queue.Empty:
                return None
            if item is None:
                open_queue = False
                return None
            index, submission = item
            results.put(("took", worker, index, None))
            try:
                with timing.phase("sandbox.start"):
                    return index, submission, start_sandbox(submission, ctx)
            except Exception as exc:  # the grading machine's fault, never the submission's: report, go on
                results.put(("done", worker, index, _render(grader_fault(submission, ctx, exc), lang, files)))
        return None

    current = take(block=True)
    from activation_lab.grading.suites import warm_up

    with timing.phase("collect"):
        # while the first sandbox starts; nothing to do when inherited from the parent. Only what the first
        # submission needs: a cold single run pays for no suite it does not grade.
        warm_up(ctx.course, current[1].files if current is not None else None)
    while current is not None:
        upcoming = take(block=False)
        index, submission, sandbox = current
        try:
            with timing.phase("other"):
                report = grade_submission(submission, ctx, sandbox=sandbox)
        finally:
            if sandbox is not None:
                with timing.phase("sandbox.close"), contextlib.suppress(Exception):
                    sandbox.close()
                timing.count("workers", getattr(sandbox, "workers_started", 0))
                timing.count("hand_overs", getattr(sandbox, "handed_on", 0))
        if upcoming is not None and upcoming[2] is not None:  # its workers start while this report goes
            with timing.phase("sandbox.worker_start"), contextlib.suppress(Exception):
                prestart_workers(upcoming[2], upcoming[1], ctx)
        with timing.phase("report"):
            results.put(("done", worker, index, _render(report, lang, files)))
        timing.flush(submission.name)
        current = upcoming if upcoming is not None else take(block=True)


class _WorkerPool:
    """``jobs`` forked worker processes fed through a task queue; reports come back as they finish."""

    def __init__(
        self,
        jobs: int,
        ctx: GradingContext,
        *,
        lang: str,
        files: bool,
        warm: bool = True,
        exercise_files: Container[str] | None = None,
    ) -> None:
        methods = multiprocessing.get_all_start_methods()
        # fork: workers inherit the imported engine, NumPy and pytest, so a worker starts in milliseconds.
        mp = multiprocessing.get_context("fork" if "fork" in methods else None)
        if warm and mp.get_start_method() == "fork":  # collected once here, the suites serve every worker
            from activation_lab.grading.suites import warm_up

            # only the exercises some submission of the batch holds: a class without plots.py never
            # imports the plots reference (matplotlib: ~0.2 s of CPU); a worker imports it if one needs it
            warm_up(ctx.course, exercise_files)
        self.tasks = mp.Queue()
        self.results = mp.Queue()
        self.workers = [
            mp.Process(
                target=_worker_loop,
                # pinned only for a batch: one or two submissions gain more from their sandbox starting
                # (its NumPy import) on another core while the worker collects the suites
                args=(self.tasks, self.results, ctx, w, lang, files, jobs if warm else 0),
                daemon=True,
            )
            for w in range(jobs)
        ]
        if mp.get_start_method() == "fork":
            # The objects the workers inherit (engine, NumPy, pytest, the suites) are never collected by
            # them: a worker's first full collection would otherwise write to every one of them and copy
            # all their pages (measured: +18 MB of private memory per worker, at a random moment).
            gc.collect()
            gc.freeze()
        try:
            for process in self.workers:
                process.start()
        finally:
            gc.unfreeze()

    def run(
        self, todo: Sequence[tuple[int, Any]]
    ) -> Iterator[tuple[int, _Rendered | SubmissionReport | None, str]]:
        """Yield ``(index, report, "")`` per finished task, ``(index, None, why)`` per task lost."""
        for item in todo:
            self.tasks.put(item)
        for _ in self.workers:
            self.tasks.put(None)
        remaining = {index for index, _ in todo}
        held: dict[int, set[int]] = {w: set() for w in range(len(self.workers))}
        while remaining:
            try:
                kind, worker, index, report = self.results.get(timeout=0.5)
            except queue.Empty:
                for worker, process in enumerate(self.workers):
                    if not process.is_alive() and held[worker]:
                        why = f"grading worker {process.pid} died (exit code {process.exitcode})"
                        for lost in sorted(held[worker]):
                            remaining.discard(lost)
                            yield lost, None, why
                        held[worker].clear()
                if not any(process.is_alive() for process in self.workers):
                    for lost in sorted(remaining):
                        yield lost, None, "every grading worker died"
                    remaining.clear()
                continue
            if kind == "took":
                held[worker].add(index)
            elif index in remaining:
                held[worker].discard(index)
                remaining.discard(index)
                yield index, report, ""

    def close(self) -> None:
        """Wait for the workers to exit after the last task."""
        for process in self.workers:
            process.join()

    def terminate(self) -> None:
        """Stop every worker now (Ctrl-C); their sandboxes die with them."""
        self.tasks.cancel_join_thread()
        for process in self.workers:
            if process.is_alive():
                process.terminate()
        for process in self.workers:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


def rebuild_grades_csv(
    out_dir: Path,
    ctx: GradingContext,
    roster: Path | None = None,
    known: Mapping[str, tuple[str, ReportJSON]] | None = None,
) -> Path:
    """Rewrite ``out_dir/grades.csv`` from every complete report there, in a stable order.

    Rows follow the roster (``roster``, else the copy a previous run kept in ``out_dir``), else submission
    names, so regrading one student never moves its row. ``known``: what the batch wrote, by file name
    (``reports.gradebook.read_reports``), so its reports are not parsed again.
    """
    from activation_lab.reports.gradebook import write_gradebook
    from activation_lab.reports.roster import load_roster

    students = load_roster(roster) if roster is not None else None
    exercise_ids = [spec.id for spec in ctx.course.exercises]
    written = write_gradebook(out_dir, exercise_ids, students=students, known=known)
    return written.files[0]


def _resumed(
    out_dir: Path, name: str, content_hash: str, ctx: GradingContext, lang: str
) -> tuple[ReportJSON, bool] | None:
    """The stored report of an unchanged submission, re-rendered when ``lang`` differs; ``None`` to regrade.

    The second value says whether the JSON report must be written again (it was in another language).
    """
    existing = read_report(out_dir / f"{name}.json")
    if not is_up_to_date(existing, content_hash, ctx):
        return None
    assert existing is not None
    if existing.get("lang") == lang:
        return existing, False
    stored = read_records(records_path(out_dir, name))
    if stored is None or stored.content_hash != content_hash:
        return None
    return report_to_json(stored, lang), True


def grade_batch(
    paths: Sequence[Path],
    ctx: GradingContext,
    *,
    lang: str,
    jobs: int | None = None,
    out_dir: Path | None = None,
    resume: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[ReportJSON], None] | None = None,
    layout: str = "auto",
    keep: Callable[[ReportJSON], ReportJSON] | None = None,
) -> BatchResult:
    """Grade every PATH (class folders expanded) with ``jobs`` worker processes; one report per submission.

    Reports are rendered in ``lang``. With ``out_dir``, each report is written atomically to
    ``out_dir/<safe name>.json`` (and its unrendered form to ``out_dir/.records/``) as soon as it is ready,
    and ``grades.csv`` is rebuilt from every report present at the end, also when interrupted (Ctrl-C), so
    an interrupted batch keeps every finished result and ``resume=True`` continues it. A resumed report
    asked for in another language is rendered again from its stored form: no student code runs again.
    ``keep`` says what of each report to hold until the end (e.g. :func:`report_summary`; the whole report
    when ``None``); ``on_result`` always sees the whole report.
    """
    submissions = expand_paths(paths, ctx.course.student_files, layout=layout, lang=lang)
    with timing.phase("load"):
        tasks = [_load(i, path, ctx) for i, path in enumerate(submissions)]
    names = _result_names(tasks)
    reports: list[ReportJSON | None] = [None] * len(tasks)
    written = [""] * len(tasks)
    known: dict[str, tuple[str, ReportJSON]] = {}  # file name -> (digest, gradebook fields) of each written
    resumed: set[int] = set()
    rewrite: set[int] = set()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for task, name in zip(tasks, names, strict=True):
            if resume and task.report is None and task.submission is not None:
                found = _resumed(out_dir, name, task.submission.content_hash, ctx, lang)
                if found is not None:
                    reports[task.index] = found[0]
                    resumed.add(task.index)
                    if found[1]:
                        rewrite.add(task.index)

    def finish(index: int, report: _Rendered | SubmissionReport | ReportJSON) -> None:
        with timing.phase("report"):
            text: str | None = None
            records: SubmissionReport | str | None = None
            if isinstance(report, _Rendered):
                rendered, text, records = report
            elif isinstance(report, SubmissionReport):
                rendered, records = report_to_json(report, lang), report
            else:
                rendered = report
            reports[index] = rendered if keep is None else keep(rendered)
            if out_dir is not None and (index not in resumed or index in rewrite):
                text = dumps_report(rendered) if text is None else text
                write_report(out_dir / f"{names[index]}.json", rendered, text)
                written[index] = text_digest(text)
                known[f"{names[index]}.json"] = (written[index], gradebook_fields(rendered))
            if out_dir is not None and records is not None:
                write_records(records_path(out_dir, names[index]), records)
            if on_result is not None:
                on_result(rendered)

    todo = [
        (task.index, task.submission) for task in tasks if reports[task.index] is None and task.report is None
    ]
    workers = max(1, min(jobs or default_jobs(), len(todo)))
    # With a submission or two per worker, each worker collects the suites itself while its first sandbox
    # starts (a cold single run); with more, the parent collects them once for all workers.
    files = out_dir is not None
    held = {name for _, submission in todo if submission is not None for name in submission.files}
    pool = (
        _WorkerPool(workers, ctx, lang=lang, files=files, warm=len(todo) > workers, exercise_files=held)
        if todo
        else None
    )
    if on_start is not None:
        on_start(len(tasks))
    try:
        for task in tasks:
            decided = reports[task.index] or task.report
            if decided is not None:
                finish(task.index, decided)
        if pool is not None:
            for index, posted, why in pool.run(todo):
                if posted is None:
                    lost = tasks[index].submission
                    assert lost is not None  # only loaded submissions are sent to the workers
                    finish(
                        index,
                        error_report(lost.name, ctx, why, kind="grader", content_hash=lost.content_hash),
                    )
                else:
                    finish(index, posted)
            pool.close()
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if out_dir is not None:
            with timing.phase("report"):
                rebuild_grades_csv(out_dir, ctx, known=known)
        timing.flush("batch parent", submissions=len(tasks))
    done = tuple(report for report in reports if report is not None)
    faults = sum(1 for report in done if report.get("error_kind") == "grader")
    return BatchResult(
        reports=done, resumed=len(resumed), grader_faults=faults, names=tuple(names), written=tuple(written)
    )
