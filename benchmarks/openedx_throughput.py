"""Benchmark the Open edX path: one real XQueue, N real xqueue-watchers, hundreds of mixed submissions.

    python benchmarks/openedx_throughput.py [--submissions 300] [--watchers 2 [1 ...]] [--seed 0]

Plays the LMS (``tests/openedx_services.py``): submits every answer to XQueue at once, each with its own
callback URL, and records every callback. Reports throughput (submissions per second from the first submit
to the last callback), latency percentiles, how the watchers shared the work, and checks that no submission
was lost or called back twice and that every score equals what ``activation-lab grade`` gives the same file.
The mix: references, the wrong and right corpus files of every exercise, and syntax errors, in both
languages. With several ``--watchers`` counts the same mix runs once per count and the speed-up over the
first count is printed. Needs the Open edX environments (``scripts/setup-openedx.sh``). Writes
``benchmarks/openedx_results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import openedx_services as services  # noqa: E402

from activation_lab.course import load_course  # noqa: E402
from activation_lab.grading import grade_path, make_context  # noqa: E402

SYNTAX_ERROR = "import numpy as np\n\ndef {function}(x)\n    return x\n"
SETTLE_S = 10.0  # after the last callback, how long to keep listening for a duplicate


def answers(seed: int) -> list[tuple[str, str, str]]:
    """Every distinct ``(exercise, lang, text)`` of the mix."""
    course = load_course(REPO)
    corpus = REPO / "tests" / "corpus"
    found = []
    for spec in course.exercises:
        texts = [(REPO / "solutions" / spec.file).read_text(encoding="utf-8")]
        texts += [p.read_text(encoding="utf-8") for p in sorted((corpus / "wrong" / spec.id).glob("*.py"))]
        texts += [p.read_text(encoding="utf-8") for p in sorted((corpus / "right" / spec.id).glob("*.py"))]
        texts.append(SYNTAX_ERROR.format(function=spec.functions[0]))
        found += [(spec.id, random.Random(f"{seed}{text}").choice(("ko", "en")), text) for text in texts]
    return found


def expected_fractions(
    distinct: list[tuple[str, str, str]], workdir: Path
) -> dict[tuple[str, str, str], float]:
    """What ``activation-lab grade`` gives each distinct answer (a folder holding the one file)."""
    context = make_context(REPO)
    course = context.course
    out = {}
    for index, (exercise, lang, text) in enumerate(distinct):
        folder = workdir / f"expected-{index}"
        folder.mkdir()
        (folder / course.exercise(exercise).file).write_text(text, encoding="utf-8")
        for other in course.exercises:  # as the plug-in does: another exercise's module, when imported
            if other.id != exercise and f"from {Path(other.file).stem} import" in text:
                (folder / other.file).write_text(
                    (REPO / "solutions" / other.file).read_text(encoding="utf-8")
                )
        report = grade_path(folder, context)
        result = next(e for e in report.exercises if e.id == exercise)
        out[exercise, lang, text] = round(result.score / result.max_score, 6)
    return out


def run(submissions: int, watchers: int, seed: int) -> dict[str, object]:
    reason = services.skip_reason()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    distinct = answers(seed)
    rng = random.Random(seed)
    mix = [distinct[i % len(distinct)] for i in range(submissions)]
    rng.shuffle(mix)
    workdir = Path(tempfile.mkdtemp(prefix="activation-lab-openedx-bench-"))
    expected = expected_fractions(distinct, workdir)
    with services.running(watchers=watchers, workdir=workdir / "services") as (xqueue, running, lms):
        time.sleep(2)  # let every watcher log in before the burst
        start = time.monotonic()
        sent = {}
        for exercise, lang, text in mix:
            sent[lms.submit(text, services.payload(exercise, lang))] = (
                exercise,
                lang,
                text,
                time.monotonic(),
            )
        submitted = time.monotonic()
        got = lms.wait_for(list(sent), timeout_s=60 + submissions * 5)
        last = max((c.received for calls in got.values() for c in calls), default=time.monotonic())
        time.sleep(SETTLE_S)
        calls = {path: list(lms.callbacks.get(path, [])) for path in sent}
        logs = [w.log_text() for w in running]
        unretired = xqueue.query("SELECT COUNT(*) FROM queue_submission WHERE retired = 0")[0][0]
        failures = xqueue.query("SELECT COALESCE(SUM(num_failures), 0) FROM queue_submission")[0][0]
    lost = [p for p, c in calls.items() if not c]
    twice = [p for p, c in calls.items() if len(c) > 1]
    wrong = [p for p, c in calls.items() if c and c[0].reply.get("score") != expected[sent[p][:3]]]
    latencies = sorted(c[0].received - sent[p][3] for p, c in calls.items() if c)
    shares = [log.count("activation-lab: graded submission_id=") for log in logs]
    # XQueue's get_submission reads and then marks a submission in two statements: two watchers polling at the
    # same instant can both get it. Both grade it; XQueue accepts only the latest pull key, so the LMS still
    # hears once. Counted here from the watchers' own logs.
    graded_ids = Counter(re.findall(r"activation-lab: graded submission_id=(\d+)", "".join(logs)))
    pulled_twice = sum(1 for count in graded_ids.values() if count > 1)
    refused = sum(log.count("'Incorrect key for submission'") for log in logs)
    kinds = Counter(
        "reference"
        if t == (REPO / "solutions" / f"{e}.py").read_text(encoding="utf-8")
        else "syntax error"
        if t.startswith("import numpy as np\n\ndef ") and t.endswith("return x\n")
        else "corpus"
        for e, _, t in mix
    )
    return {
        "submissions": submissions,
        "distinct_answers": len(distinct),
        "mix": dict(kinds),
        "watchers": watchers,
        "called_back": sum(1 for c in calls.values() if c),
        "lost": len(lost),
        "called_back_twice": len(twice),
        "score_mismatches": len(wrong),
        "xqueue_unretired": unretired,
        "xqueue_post_failures": failures,
        "submit_seconds": round(submitted - start, 2),
        "wall_seconds": round(last - start, 2),
        "throughput_per_s": round(submissions / (last - start), 2),
        "latency_s_median": round(statistics.median(latencies), 2) if latencies else None,
        "latency_s_p90": round(latencies[int(0.9 * (len(latencies) - 1))], 2) if latencies else None,
        "graded_per_watcher": shares,
        "graded_by_two_watchers": pulled_twice,
        "results_refused_by_xqueue_stale_key": refused,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "load_avg_before": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark once per watcher count, print the figures, write the results file."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--watchers", type=int, nargs="+", default=[2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "openedx_results.json")
    args = parser.parse_args(argv)
    runs = []
    for watchers in args.watchers:
        load = os.getloadavg()
        result = run(args.submissions, watchers, args.seed)
        result["load_avg_before"] = [round(x, 2) for x in load]
        result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
        if runs:
            result["throughput_vs_first_run"] = round(
                result["throughput_per_s"] / runs[0]["throughput_per_s"], 2
            )
        runs.append(result)
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
        print()
    args.results.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ok = all(r["lost"] == 0 and r["called_back_twice"] == 0 and r["score_mismatches"] == 0 for r in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
