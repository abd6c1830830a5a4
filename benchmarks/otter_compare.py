"""Benchmark `otter run` with the bridge's autograder.zip against `activation-lab grade`, same submissions.

    python benchmarks/otter_compare.py [--submissions 20] [--jobs 2] [--seed 0] [--autograder ZIP]
                                       [--keep DIR]

The submissions are single-exercise ``.py`` files (what otter grades: one script per run), taken in turn
from the synthetic class that ``benchmarks/grade_class.py`` builds: submission i is exercise ``i mod 5`` of
student i.
Both graders see the same files on the same machine:

- otter: ``otter run -a autograder.zip FILE`` once per file, ``--jobs`` of them at a time (otter grades one
  submission per process, so running two at once is how it uses two cores);
- activation-lab: one ``python -m activation_lab grade FILE... --jobs N --format json``.

Both are timed as wall time from the first start to the last result, divided by the number of submissions, and
each submission's total score is compared between the two. Writes ``benchmarks/otter_results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from grade_class import EXERCISE_FILES, build_class, machine  # noqa: E402


def build_submissions(work: Path, count: int, seed: int) -> list[Path]:
    """``count`` single-file submissions ``work/subs/sNNN/<exercise>.py`` cut from the synthetic class."""
    klass = build_class(work, count, seed)
    students = sorted(p for p in klass.iterdir() if p.is_dir())
    files = []
    for index, student in enumerate(students[:count]):
        name = EXERCISE_FILES[index % len(EXERCISE_FILES)]
        target = work / "subs" / f"s{index:03d}" / name
        target.parent.mkdir(parents=True)
        shutil.copyfile(student / name, target)
        files.append(target)
    return files


def make_autograder(work: Path) -> tuple[Path, float]:
    """Build the bridge's autograder.zip with ``activation-lab otter generate``; return it and its seconds."""
    started = time.monotonic()
    out = work / "otter-assignment"
    command = [sys.executable, "-m", "activation_lab", "otter", "generate", "--out", str(out), "--lang", "en"]
    subprocess.run(command, check=True, capture_output=True)
    return out / "autograder.zip", time.monotonic() - started


def _otter_one(autograder: Path, submission: Path, out: Path) -> tuple[float, float | None, str]:
    out.mkdir(parents=True)
    started = time.monotonic()
    command = [sys.executable, "-m", "otter", "run", "-a", str(autograder), str(submission), "-o", str(out)]
    done = subprocess.run(command, capture_output=True, check=False, timeout=600)
    elapsed = time.monotonic() - started
    try:
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return elapsed, None, (done.stdout + done.stderr).decode("utf-8", "replace")[-600:]
    score = sum(float(t.get("score") or 0) for t in results["tests"] if "max_score" in t)
    return elapsed, score, "\n".join(str(t.get("output", ""))[:300] for t in results["tests"])


def run_otter(autograder: Path, files: list[Path], work: Path, jobs: int) -> dict:
    """Grade every file with ``otter run``, ``jobs`` at a time."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(
            pool.map(
                lambda item: _otter_one(autograder, item[1], work / "otter-out" / f"{item[0]:03d}"),
                enumerate(files),
            )
        )
    wall = time.monotonic() - started
    return {
        "wall_s": wall,
        "per_run_s": [o[0] for o in outcomes],
        "scores": [o[1] for o in outcomes],
        "outputs": [o[2] for o in outcomes],
    }


def run_ours(files: list[Path], jobs: int, seed: int) -> dict:
    """Grade every file with one ``activation-lab grade --jobs N`` process."""
    command = [sys.executable, "-m", "activation_lab", "grade", *map(str, files), "--jobs", str(jobs)]
    command += ["--format", "json", "--lang", "en", "--seed", str(seed)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, check=True)
    wall = time.monotonic() - started
    reports = json.loads(done.stdout)
    return {
        "wall_s": wall,
        "scores": [float(r["score"]) for r in reports],
        "isolation": reports[0]["isolation"],
    }


def run(count: int, jobs: int, seed: int, autograder: Path | None, keep: Path | None) -> dict:
    """Build the submissions and the autograder, grade with both, compare."""
    work = Path(tempfile.mkdtemp(prefix="activation-lab-otter-bench-")) if keep is None else keep
    try:
        files = build_submissions(work, count, seed)
        generate_s = None
        if autograder is None:
            autograder, generate_s = make_autograder(work)
        load_before = os.getloadavg()[0]
        ours = run_ours(files, jobs, seed)
        otter = run_otter(autograder, files, work, jobs)
        load_after = os.getloadavg()[0]
        mismatches = [
            {"submission": str(path.relative_to(work)), "otter": o, "activation_lab": a, "otter_output": text}
            for path, o, a, text in zip(files, otter["scores"], ours["scores"], otter["outputs"], strict=True)
            if o is None or abs(o - a) > 1e-6
        ]
        return {
            "submissions": count,
            "jobs": jobs,
            "seed": seed,
            "isolation": ours["isolation"],
            "activation_lab_ms_per_submission": round(1000 * ours["wall_s"] / count, 1),
            "activation_lab_wall_s": round(ours["wall_s"], 3),
            "otter_run_ms_per_submission": round(1000 * otter["wall_s"] / count, 1),
            "otter_run_wall_s": round(otter["wall_s"], 3),
            "otter_run_median_single_run_s": round(statistics.median(otter["per_run_s"]), 3),
            "speedup": round(otter["wall_s"] / ours["wall_s"], 1),
            "otter_generate_s": None if generate_s is None else round(generate_s, 1),
            "score_mismatches": mismatches,
            "mean_score": round(statistics.mean(ours["scores"]), 3),
            "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
            "machine": machine(),
        }
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print a table, write benchmarks/otter_results.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--autograder", type=Path, default=None, help="an existing bridge autograder.zip")
    parser.add_argument("--keep", type=Path, default=None, help="build the submissions here and keep them")
    parser.add_argument("--results", type=Path, default=HERE / "otter_results.json")
    args = parser.parse_args(argv)
    result = run(args.submissions, args.jobs, args.seed, args.autograder, args.keep)
    rows = [
        ("submissions (single .py files)", f"{result['submissions']}, {result['jobs']} at a time"),
        ("activation-lab grade, ms per submission", f"{result['activation_lab_ms_per_submission']}"),
        ("otter run + bridge, ms per submission", f"{result['otter_run_ms_per_submission']}"),
        ("otter run, median single run", f"{result['otter_run_median_single_run_s']} s"),
        ("otter / activation-lab", f"{result['speedup']}x"),
        ("score mismatches", f"{len(result['score_mismatches'])}"),
        ("load average before / after", " / ".join(map(str, result["load_average_before_after"]))),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    temporary = args.results.with_name(f".{args.results.name}.tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, args.results)
    return 1 if result["score_mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
