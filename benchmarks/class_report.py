"""Benchmark the class report: 1,000 synthetic reports in, ``report.html`` out; the target is under a minute.

    python benchmarks/class_report.py [--students 1000] [--seed 0] [--from DIR] [--keep DIR]

The synthetic reports are real ones, varied: it grades the demo class once (or reads the reports of
``--from DIR``), then writes ``--students`` copies with new names and, per test, a pass or fail drawn at
the class's own failure rate (scores and totals recomputed). It then times
``python -m activation_lab report OUT`` as a child process, as an instructor would run it, and writes
``benchmarks/report_results.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0


def seed_reports(source: Path | None, scratch: Path) -> list[dict]:
    """Real reports to vary: those in ``source``, else the demo class graded now."""
    if source is None:
        source = scratch / "demo"
        command = [
            sys.executable,
            "-m",
            "activation_lab",
            "grade",
            str(REPO / "examples" / "submissions"),
            "--out",
            str(source),
            "--format",
            "json",
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(source.glob("*.json"))]
    return [r for r in reports if isinstance(r, dict) and r.get("schema_version") == 1]


def vary(report: dict, name: str, rng: random.Random, fail_rate: float) -> dict:
    """A copy of ``report`` under ``name`` with each test passed or failed at random."""
    out = copy.deepcopy(report)
    out["submission"] = name
    total = 0.0
    for exercise in out["exercises"]:
        if exercise["status"] != "graded":
            total += exercise["score"]
            continue
        for test in exercise["tests"]:
            if rng.random() < fail_rate:
                test.update(status="failed", score=0.0)
            else:
                test.update(status="passed", score=test["max_score"], hints=[])
        exercise["score"] = sum(t["score"] for t in exercise["tests"])
        total += exercise["score"]
    if out["quiz"] is not None:
        for item in out["quiz"]["items"]:
            item["score"] = item["max_score"] if rng.random() > fail_rate else 0.0
        out["quiz"]["score"] = sum(i["score"] for i in out["quiz"]["items"])
        total += out["quiz"]["score"]
    out["score"] = total
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the synthetic class, time the report, write the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--from", dest="source", type=Path, default=None, help="reports to vary")
    parser.add_argument("--keep", type=Path, default=None, help="write the synthetic class here and keep it")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="class-report-bench-") as scratch_name:
        scratch = Path(scratch_name)
        seeds = seed_reports(args.source, scratch)
        out = args.keep or scratch / "out"
        out.mkdir(parents=True, exist_ok=True)
        for index in range(args.students):
            report = vary(rng.choice(seeds), f"student{index:05d}", rng, rng.uniform(0.05, 0.5))
            (out / f"student{index:05d}.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
        command = [sys.executable, "-m", "activation_lab", "report", str(out), "--lang", "en"]
        started = time.perf_counter()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        size = (out / "report.html").stat().st_size
    result = {
        "students": args.students,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "ratio_to_target": round(seconds / TARGET_SECONDS, 4),
        "report_html_bytes": size,
        "python": sys.version.split()[0],
    }
    (REPO / "benchmarks" / "report_results.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(
        f"{args.students} reports -> report.html ({size / 1e6:.2f} MB) in {seconds:.2f} s "
        f"(target {TARGET_SECONDS:.0f} s: {100 * seconds / TARGET_SECONDS:.1f} %)"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
