"""Print the hint table of the whole wrong-file corpus: right hint / wrong hint / no hint (issue 12).

Usage: ``python scripts/corpus_hint_table.py [--course DIR] [--list]``. Each ``tests/corpus/wrong`` file is
graded in-process with the hidden suites. *right*: every ``# expect-hint`` key is given and no ``# not-hint``
key; *wrong*: some hint is given but not the expected one, or a misdiagnosis is; *none*: no hint at all.
``--course`` grades with another checkout's course (e.g. main's, for a before/after comparison).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_corpus import corpus, failed_hints, grade  # noqa: E402

from activation_lab.course import load_course  # noqa: E402


def classify(expected: set[str], wrong: set[str], given: set[str]) -> str:
    """``right``, ``wrong`` or ``none`` for one file."""
    if not given:
        return "none"
    return "right" if expected <= given and not (wrong & given) else "wrong"


def main(argv: list[str]) -> int:
    """Grade the corpus and print the table (and, with ``--list``, each file's verdict)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=None)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    course = load_course(args.course) if args.course else load_course()
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for entry in corpus("wrong"):
            try:
                result = grade(course, entry, Path(tmp) / entry.id, "en")
                given = failed_hints(result)
            except Exception as exc:  # a file the old grader cannot grade at all
                given = {f"error:{type(exc).__name__}"}
            verdict = classify(set(entry.expected_hints), set(entry.wrong_hints), given)
            counts[verdict] += 1
            if args.list:
                print(
                    f"{verdict:5}  {entry.id:45} expected {sorted(entry.expected_hints)} got {sorted(given)}"
                )
    total = sum(counts.values())
    print(
        f"wrong files: {total}  right hint: {counts['right']}  wrong hint: {counts['wrong']}  "
        f"no hint: {counts['none']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
