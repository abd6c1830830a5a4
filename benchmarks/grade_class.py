"""Benchmark the main job: grade a synthetic class of five-file submissions and report speed and peak memory.

    python benchmarks/grade_class.py [--students 200] [--jobs 2] [--seed 0] [--keep DIR]

It builds the class from the reference solutions and the corpus of right and wrong student files
(``tests/corpus/{right,wrong}/<exercise>/*.py``), runs
``python -m activation_lab grade CLASS --jobs N --out OUT`` as a child process exactly as an instructor
would (sandbox on), and meanwhile polls ``/proc`` for every process of the tree (CLI, pool workers,
sandboxes, zygotes, exercise workers) to find the peak memory. Each result file is written the moment its
submission is graded, so the gaps between their modification times are the cost of one submission as the
batch sees it with N jobs. Writes ``benchmarks/results.json`` and prints a small table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXERCISE_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py")
TARGET_MS = 150.0
TARGET_MB = 500.0
PAGE = os.sysconf("SC_PAGE_SIZE")


def build_class(root: Path, students: int, seed: int) -> Path:
    """A class folder of ``students`` folders, each holding all five files: half right, half with mistakes."""
    rng = random.Random(seed)
    corpus = REPO / "tests" / "corpus"
    right = {f: sorted((corpus / "right" / f[:-3]).glob("*.py")) for f in EXERCISE_FILES}
    wrong = {f: sorted((corpus / "wrong" / f[:-3]).glob("*.py")) for f in EXERCISE_FILES}
    klass = root / "class"
    for index in range(students):
        folder = klass / f"student{index:03d}"
        folder.mkdir(parents=True)
        for file_name in EXERCISE_FILES:
            draw = rng.random()
            if draw < 0.5 or not (right[file_name] or wrong[file_name]):
                source = REPO / "solutions" / file_name
            elif draw < 0.65 and right[file_name]:
                source = rng.choice(right[file_name])
            else:
                source = rng.choice(wrong[file_name] or right[file_name])
            shutil.copyfile(source, folder / file_name)
    return klass


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


TICKS = os.sysconf("SC_CLK_TCK")


def _tree_sample(root: int, cpu_seen: dict[tuple[int, int], float]) -> tuple[int, int, int]:
    """(processes, sum of RSS, sum of PSS) in bytes over ``root`` and its descendants; records their CPU time.

    ``cpu_seen`` maps (pid, start time) to the latest CPU seconds seen, so processes that ended still count
    (up to the last sample) even when nobody in the tree waited for them (the sandbox's pid namespace).
    """
    tree = _children()
    pending, count, rss, pss = [root], 0, 0, 0
    while pending:
        pid = pending.pop()
        pending.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            utime, stime, started = int(fields[11]), int(fields[12]), int(fields[19])
            cpu_seen[(pid, started)] = (utime + stime) / TICKS
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                memory = dict(line.split(":", 1) for line in handle if ":" in line and not line[0].isdigit())
            rss += int(memory["Rss"].split()[0]) * 1024
            pss += int(memory["Pss"].split()[0]) * 1024
            count += 1
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return count, rss, pss


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(students: int, jobs: int, seed: int, keep: Path | None) -> dict:
    """Build the class, grade it in a child process, and measure it."""
    work = Path(tempfile.mkdtemp(prefix="activation-lab-bench-")) if keep is None else keep
    try:
        klass = build_class(work, students, seed)
        out = work / "out"
        command = [
            sys.executable,
            "-m",
            "activation_lab",
            "grade",
            str(klass),
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            "--format",
            "json",
            "--lang",
            "en",
            "--seed",
            str(seed),
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        started_wall = time.time()
        # Files, not pipes: a class's JSON array is far larger than a pipe buffer and nobody reads it early.
        stdout_path, stderr_path = work / "stdout.json", work / "stderr.txt"
        with stdout_path.open("wb") as stdout_file, stderr_path.open("wb") as stderr_file:
            process = subprocess.Popen(command, stdout=stdout_file, stderr=stderr_file, env=env)
            peak_rss = peak_pss = peak_processes = 0
            cpu_seen: dict[tuple[int, int], float] = {}
            while process.poll() is None:
                count, rss, pss = _tree_sample(process.pid, cpu_seen)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
                peak_processes = max(peak_processes, count)
                time.sleep(0.05)
        wall = time.monotonic() - started
        # Every process of the tree is waited for by its parent, so their CPU time adds up here.
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        waited_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        cpu = max(waited_cpu, sum(cpu_seen.values()))
        load_after = os.getloadavg()[0]
        if process.returncode != 0:
            stderr = stderr_path.read_text(errors="replace")[-3000:]
            raise SystemExit(f"grading failed ({process.returncode}):\n{stderr}")
        reports = json.loads(stdout_path.read_text(encoding="utf-8"))
        finished = sorted(path.stat().st_mtime_ns / 1e9 for path in out.glob("*.json"))
        gaps = [b - a for a, b in zip([started_wall, *finished], finished, strict=False)][1:]
        first_result = finished[0] - started_wall
        isolation = reports[0]["isolation"] if reports else "?"
        scores = [r["score"] for r in reports]
        return {
            "students": students,
            "jobs": jobs,
            "isolation": isolation,
            "graded": sum(1 for r in reports if r["status"] == "graded"),
            "full_marks": sum(1 for r in reports if r["score"] == r["max_score"]),
            "mean_score": round(statistics.mean(scores), 3),
            "wall_s": round(wall, 3),
            "ms_per_submission_wall": round(1000 * wall / students, 1),
            "ms_per_submission_median": round(1000 * statistics.median(gaps), 1),
            "ms_per_submission_p90": round(1000 * _percentile(gaps, 0.9), 1),
            "startup_to_first_result_s": round(first_result, 3),
            "cpu_ms_per_submission": round(1000 * cpu / students, 1),
            "cpu_bound_ms_per_submission": round(1000 * cpu / students / min(jobs, os.cpu_count() or 1), 1),
            "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
            "peak_tree_pss_mb": round(peak_pss / 2**20, 1),
            "peak_tree_rss_sum_mb": round(peak_rss / 2**20, 1),
            "peak_processes": peak_processes,
            "machine": machine(),
        }
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def machine() -> dict[str, object]:
    """What the figures were measured on: Python version, core count, platform."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table, write benchmarks/results.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="build the class here and keep it")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results.json")
    args = parser.parse_args(argv)
    result = run(args.students, args.jobs, args.seed, args.keep)
    rows = [
        (
            "submissions graded",
            f"{result['graded']} / {result['students']} (jobs {result['jobs']}, "
            f"sandbox {result['isolation']})",
        ),
        ("ms per submission, median", f"{result['ms_per_submission_median']}  (target <= {TARGET_MS:g})"),
        ("ms per submission, p90", f"{result['ms_per_submission_p90']}"),
        ("ms per submission, wall / n", f"{result['ms_per_submission_wall']}"),
        (
            "CPU ms per submission (whole tree)",
            f"{result['cpu_ms_per_submission']} "
            f"(/ {args.jobs} cores = {result['cpu_bound_ms_per_submission']})",
        ),
        ("load average before / after", " / ".join(map(str, result["load_average_before_after"]))),
        ("total wall", f"{result['wall_s']} s (first result after {result['startup_to_first_result_s']} s)"),
        ("peak memory, process tree (PSS)", f"{result['peak_tree_pss_mb']} MB  (target <= {TARGET_MB:g})"),
        (
            "peak memory, sum of RSS",
            f"{result['peak_tree_rss_sum_mb']} MB over {result['peak_processes']} processes",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
