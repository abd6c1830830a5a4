"""Grade many submissions: class folders expanded, a pool of trusted workers, atomic results, resume."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation_lab.errors import SubmissionError
from activation_lab.grading import timing
from activation_lab.grading.grade import GradingContext, error_report, grade_submission, start_sandbox
from activation_lab.reports.report import (
    ReportJSON,
    read_report,
    report_to_json,
    write_grades_csv,
    write_report,
)

GRADES_CSV = "grades.csv"
SUBMISSION_SUFFIXES = (".zip", ".ipynb", ".py")
ANSWERS_FILES = ("answers.yaml", "answers.yml")


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _visible_entries(folder: Path) -> list[Path]:
    return sorted(e for e in folder.iterdir() if not e.name.startswith((".", "__")))


def _submission_like(entry: Path) -> bool:
    return entry.is_dir() or entry.suffix.lower() in SUBMISSION_SUFFIXES


def is_class_folder(folder: Path, student_files: Sequence[str]) -> bool:
    """Whether a directory PATH is a class (a folder of submissions) rather than one submission.

    The rule (docs/grading.md): a folder that directly holds an exercise file (any letter case, e.g.
    ``Sigmoid.py``) or ``answers.yaml`` is one submission; so is a folder holding a single sub-folder and no
    other submission (a zipped folder unpacked: ``alice/alice/*.py``) and an empty folder. Any other
    folder with sub-folders, ``.zip``, ``.ipynb`` or ``.py`` entries is a class: each entry is one submission.
    """
    if not folder.is_dir():
        return False
    entries = _visible_entries(folder)
    exercise_names = {name.lower() for name in student_files} | set(ANSWERS_FILES)
    if any(e.is_file() and e.name.lower() in exercise_names for e in entries):
        return False
    candidates = [e for e in entries if _submission_like(e)]
    if len(candidates) == 1 and candidates[0].is_dir():
        return False
    return bool(candidates)


def expand_paths(paths: Sequence[Path], student_files: Sequence[str]) -> list[Path]:
    """The submissions named by PATHs, in order: a class folder becomes its entries, sorted by name."""
    expanded: list[Path] = []
    for path in paths:
        path = Path(path)
        if is_class_folder(path, student_files):
            expanded.extend(e for e in _visible_entries(path) if _submission_like(e))
        else:
            expanded.append(path)
    return expanded


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch produced: one report per PATH (in order), and how many were skipped by ``--resume``."""

    reports: tuple[ReportJSON, ...]
    resumed: int
    grader_faults: int


@dataclass(frozen=True, slots=True)
class _Task:
    index: int
    path: Path
    submission: Any  # activation_lab.submissions.load.Submission, or None when loading failed
    report: ReportJSON | None  # already decided (unreadable, or resumed)


def _load(index: int, path: Path, ctx: GradingContext) -> _Task:
    from activation_lab.submissions.load import load_submission

    try:
        submission = load_submission(path, ctx.course)
    except SubmissionError as exc:
        return _Task(
            index, path, None, report_to_json(error_report(path.name, ctx, str(exc), kind="submission"))
        )
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        return _Task(index, path, None, report_to_json(error_report(path.name, ctx, detail, kind="grader")))
    if submission.status != "graded":
        return _Task(index, path, submission, report_to_json(grade_submission(submission, ctx)))
    return _Task(index, path, submission, None)


def is_up_to_date(existing: ReportJSON | None, content_hash: str, ctx: GradingContext) -> bool:
    """Whether a stored report grades this exact content with these suites, seed, engine and language."""
    if existing is None or not content_hash or existing.get("error_kind") == "grader":
        return False
    if existing.get("content_hash") != content_hash:
        return False
    return all(existing.get(key) == value for key, value in ctx.cache_key.items())


def _result_names(tasks: Sequence[_Task]) -> list[str]:
    from activation_lab.submissions.load import unique_safe_names

    return unique_safe_names(
        [task.submission.name if task.submission is not None else task.path.name for task in tasks]
    )


def _worker_init() -> None:
    # The parent handles Ctrl-C and stops the workers; workers must not print tracebacks or write to stdout
    # (which carries the JSON array), so anything pytest or a library prints there goes to /dev/null.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _worker_loop(tasks: Any, results: Any, ctx: GradingContext, worker: int) -> None:
    """One trusted worker: grade submissions from ``tasks``, post each report to ``results`` when done.

    While one submission is graded, the sandbox of the next is already starting (its NumPy import runs in
    parallel with this worker's grading), which hides most of the sandbox's start-up time. The worker
    inherits the suites collected and the references imported by its parent (``warm_up``), or collects them
    itself while its first sandbox starts, and keeps them for every submission it grades.
    """
    _worker_init()
    open_queue = True

    def take(block: bool) -> tuple[int, Any, Any] | None:
        nonlocal open_queue
        if not open_queue:
            return None
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
                sandbox = start_sandbox(submission, ctx)
        except Exception as exc:  # reported by grade_submission as a grader fault
            sandbox = exc
        return index, submission, sandbox

    current = take(block=True)
    from activation_lab.grading.suites import warm_up

    with timing.phase("collect"):
        warm_up(ctx.course)  # while the first sandbox starts; nothing to do when inherited from the parent
    while current is not None:
        upcoming = take(block=False)
        index, submission, sandbox = current
        try:
            with timing.phase("other"):
                graded = grade_submission(submission, ctx, sandbox=sandbox)
            with timing.phase("report"):
                report = report_to_json(graded)
        finally:
            if sandbox is not None and not isinstance(sandbox, BaseException):
                with timing.phase("sandbox.close"), contextlib.suppress(Exception):
                    sandbox.close()
        with timing.phase("report"):
            results.put(("done", worker, index, report))
        timing.flush(submission.name)
        current = upcoming if upcoming is not None else take(block=True)


class _WorkerPool:
    """``jobs`` forked worker processes fed through a task queue; reports come back as they finish."""

    def __init__(self, jobs: int, ctx: GradingContext, *, warm: bool = True) -> None:
        methods = multiprocessing.get_all_start_methods()
        # fork: workers inherit the imported engine, NumPy and pytest, so a worker starts in milliseconds.
        mp = multiprocessing.get_context("fork" if "fork" in methods else None)
        if warm and mp.get_start_method() == "fork":  # collected once here, the suites serve every worker
            from activation_lab.grading.suites import warm_up

            warm_up(ctx.course)
        self.tasks = mp.Queue()
        self.results = mp.Queue()
        self.workers = [
            mp.Process(target=_worker_loop, args=(self.tasks, self.results, ctx, w), daemon=True)
            for w in range(jobs)
        ]
        for process in self.workers:
            process.start()

    def run(self, todo: Sequence[tuple[int, Any]]) -> Iterator[tuple[int, ReportJSON | None, str]]:
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


def rebuild_grades_csv(out_dir: Path, ctx: GradingContext, first: Sequence[str] = ()) -> Path:
    """Write ``out_dir/grades.csv`` from every complete report there (names in ``first`` come first)."""
    reports: dict[str, ReportJSON] = {}
    for path in sorted(out_dir.glob("*.json")):
        report = read_report(path)
        if report is not None:
            reports[path.stem] = report
    order = [name for name in first if name in reports] + [n for n in reports if n not in set(first)]
    target = out_dir / GRADES_CSV
    write_grades_csv(target, [reports[name] for name in order], [spec.id for spec in ctx.course.exercises])
    return target


def grade_batch(
    paths: Sequence[Path],
    ctx: GradingContext,
    *,
    jobs: int | None = None,
    out_dir: Path | None = None,
    resume: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[ReportJSON], None] | None = None,
) -> BatchResult:
    """Grade every PATH (class folders expanded) with ``jobs`` worker processes; one report per submission.

    With ``out_dir``, each report is written atomically to ``out_dir/<safe name>.json`` as soon as it is ready
    and ``grades.csv`` is rebuilt from every report present at the end, also when interrupted (Ctrl-C), so an
    interrupted batch keeps every finished result and ``resume=True`` continues it.
    """
    submissions = expand_paths(paths, ctx.course.student_files)
    with timing.phase("load"):
        tasks = [_load(i, path, ctx) for i, path in enumerate(submissions)]
    names = _result_names(tasks)
    reports: list[ReportJSON | None] = [task.report for task in tasks]
    resumed: set[int] = set()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for task, name in zip(tasks, names, strict=True):
            if resume and task.report is None and task.submission is not None:
                existing = read_report(out_dir / f"{name}.json")
                if is_up_to_date(existing, task.submission.content_hash, ctx):
                    reports[task.index] = existing
                    resumed.add(task.index)

    def finish(index: int, report: ReportJSON) -> None:
        reports[index] = report
        with timing.phase("report"):
            if out_dir is not None and index not in resumed:
                write_report(out_dir / f"{names[index]}.json", report)
            if on_result is not None:
                on_result(report)

    todo = [(task.index, task.submission) for task in tasks if reports[task.index] is None]
    workers = max(1, min(jobs or default_jobs(), len(todo)))
    # With a submission or two per worker, each worker collects the suites itself while its first sandbox
    # starts (a cold single run); with more, the parent collects them once for all workers.
    pool = _WorkerPool(workers, ctx, warm=len(todo) > workers) if todo else None
    if on_start is not None:
        on_start(len(tasks))
    try:
        for task in tasks:
            if reports[task.index] is not None:
                finish(task.index, reports[task.index])  # type: ignore[arg-type]
        if pool is not None:
            for index, report, why in pool.run(todo):
                if report is None:
                    task = tasks[index]
                    report = report_to_json(
                        error_report(
                            task.submission.name,
                            ctx,
                            why,
                            kind="grader",
                            content_hash=task.submission.content_hash,
                        )
                    )
                finish(index, report)
            pool.close()
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if out_dir is not None:
            with timing.phase("report"):
                rebuild_grades_csv(out_dir, ctx, names)
        timing.flush("batch parent", submissions=len(tasks))
    done = tuple(report for report in reports if report is not None)
    faults = sum(1 for report in done if report.get("error_kind") == "grader")
    return BatchResult(reports=done, resumed=len(resumed), grader_faults=faults)
