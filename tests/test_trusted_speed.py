"""The trusted side's shortcuts give exactly what the long way gives (issue 9): tables, JSON, grades, checks.

Each shortcut is compared with the path it replaces on the same input, and each one's fallback is reached.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from activation_lab.cli.grade import _stream_json
from activation_lab.cli.tables import plain_summary, summary_table
from activation_lab.grading import checks
from activation_lab.reports.gradebook import gradebook_fields, read_reports, write_gradebook
from activation_lab.reports.report import dumps_report, read_report, text_digest, write_report
from activation_lab.sandbox import cgroup

REPO = Path(__file__).resolve().parents[1]
IDS = ["c2f", "sigmoid", "step", "tanh", "relu", "plots"]


def _report(name: str, rng: random.Random) -> dict:
    """A report as a batch writes it, with scores, statuses and parts drawn from ``rng``."""
    exercises = []
    for exercise_id in IDS[:5]:
        status = rng.choice(["graded", "graded", "graded", "missing", "error", "timeout"])
        exercises.append(
            {"id": exercise_id, "score": round(rng.random() * 10, 3), "max_score": 10.0, "status": status}
        )
    score = round(sum(e["score"] for e in exercises), 6)
    quiz = None if rng.random() < 0.5 else {"score": rng.choice([1.5, 2.25, 10.0]), "max_score": 10.0}
    return {
        "schema_version": 1,
        "submission": name,
        "status": rng.choice(["graded", "graded", "error"]),
        "score": score,
        "max_score": 104.0,
        "exercises": exercises,
        "quiz": quiz,
        "error": None,
        "error_kind": None,
        "notes": ['노트 "quoted"\tand tab'],
        "parts": [
            {"id": "code", "score": score, "max_score": 50.0, "status": "graded", "counted": True},
            {"id": "plots", "score": 0.0, "max_score": 10.0, "status": "missing", "counted": True},
        ],
    }


def _rich_text(reports: list[dict], lang: str, width: int) -> str:
    buffer = io.StringIO()
    Console(width=width, file=buffer).print(summary_table(reports, IDS, lang))
    return buffer.getvalue()


NAMES = [
    "student007",
    "김민수",
    "이 서연",
    "Ｆｕｌｌ",
    "e\u0301lodie",
    "smile😀",
    "a[b]c",
    "x:y:z",
    "o'brien-2",
]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_plain_summary_is_the_text_rich_prints(lang: str) -> None:
    rng = random.Random(9)
    taken = 0
    for size in [1, 2, 3, 7, 25]:
        reports = [_report(rng.choice(NAMES) + str(i), rng) for i in range(size)]
        for width in (140, 200, 60):
            plain = plain_summary(reports, IDS, lang, width)
            if plain is not None:
                taken += 1
                assert plain == _rich_text(reports, lang, width)
    assert taken >= 8  # the shortcut is taken for ordinary classes, not only refused


def test_the_plain_summary_leaves_to_rich_what_it_does_not_draw() -> None:
    rng = random.Random(1)
    reports = [_report(f"s{i}", rng) for i in range(3)]
    assert plain_summary(reports, IDS, "en", 140) is not None
    assert plain_summary(reports, IDS, "en", 40) is None  # wider than the console: rich squeezes it
    assert plain_summary([], IDS, "en", 140) is None
    spaced = [dict(reports[0], submission="trailing ")]
    assert plain_summary(spaced, IDS, "en", 140) is None
    odd = [dict(reports[0], exercises=[dict(e, status="[bold]x") for e in reports[0]["exercises"]])]
    assert plain_summary(odd, IDS, "en", 140) is None  # a status read as markup


def test_json_of_the_files_written_is_copied_and_a_changed_file_read_again(tmp_path: Path, capsys) -> None:
    rng = random.Random(3)
    reports = [_report(name, rng) for name in ["a", "김", "c"]]
    names, digests = [], []
    for index, report in enumerate(reports):
        text = dumps_report(report)
        write_report(tmp_path / f"r{index}.json", report, text)
        names.append(f"r{index}")
        digests.append(text_digest(text))
    (tmp_path / "r1.json").write_text(dumps_report(dict(reports[1], score=1.25)), encoding="utf-8")
    _stream_json(tmp_path, names, reports, digests)
    copied = capsys.readouterr().out
    _stream_json(tmp_path, names, reports)  # no digests: every file parsed and written again
    parsed = capsys.readouterr().out
    assert copied == parsed == dumps_report([read_report(tmp_path / f"{name}.json") for name in names])
    assert json.loads(copied)[1]["score"] == 1.25  # what the file holds now, not what was written


def test_grades_csv_from_known_fields_is_the_one_read_from_the_files(tmp_path: Path) -> None:
    rng = random.Random(5)
    known = {}
    for index in range(6):
        report = _report(f"s{index}", rng)
        text = dumps_report(report)
        write_report(tmp_path / f"s{index}.json", report, text)
        known[f"s{index}.json"] = (text_digest(text), gradebook_fields(report))
    changed = dict(_report("s2", rng), score=99.0)
    (tmp_path / "s2.json").write_text(dumps_report(changed), encoding="utf-8")  # after the batch wrote it
    (tmp_path / "s4.json").write_text("{not json", encoding="utf-8")
    read_back = read_reports(tmp_path)
    assert [r["submission"] for r in read_reports(tmp_path, known)] == [r["submission"] for r in read_back]
    slow = write_gradebook(tmp_path, IDS).files[0].read_text(encoding="utf-8")
    fast = write_gradebook(tmp_path, IDS, known=known).files[0].read_text(encoding="utf-8")
    assert fast == slow and "99" in slow


def test_a_report_read_from_bytes_is_read_as_read_text_reads_it(tmp_path: Path) -> None:
    from activation_lab.reports.report import report_from_text

    report = _report("a", random.Random(0))
    data = dumps_report(report).replace("\n", "\r\n").encode("utf-8")
    (tmp_path / "a.json").write_bytes(data)
    assert report_from_text(data) == read_report(tmp_path / "a.json") == report
    assert report_from_text(b"\xff\xfe{}") is None
    assert report_from_text(dumps_report([report])) is None  # not a report


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        pytest.param(1.0, 1.0, id="equal"),
        pytest.param(1.0, 1.0 + 1e-12, id="close"),
        pytest.param(1.0, 1.1, id="different"),
        pytest.param(float("nan"), float("nan"), id="nan-nan"),
        pytest.param(float("nan"), 1.0, id="nan-number"),
        pytest.param(float("inf"), float("inf"), id="inf"),
        pytest.param(-0.0, 0.0, id="signed-zero"),
        pytest.param(1e308, -1e308, id="huge"),
    ],
)
def test_a_scalar_is_compared_as_the_array_path_compares_it(got: float, expected: float) -> None:
    scalar = checks.compare(np.array(got), np.array(expected))
    as_array = checks.compare(np.array([got]), np.array([expected]))
    assert (scalar is None) == (as_array is None)
    if scalar is not None and as_array is not None:
        assert scalar.count == as_array.count and scalar.nan_at_first == as_array.nan_at_first
        assert scalar.max_abs_error == as_array.max_abs_error or np.isnan(scalar.max_abs_error)


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        float("nan"),
        0,
        True,
        10**400,
        np.array([]),
        np.array([np.nan]),
        np.array([np.nan, 1.0]),
        np.array(np.nan),
        np.array([1, 2]),
        np.float32("nan"),
        [float("nan")],
        [1.0, float("nan")],
        "nan",
    ],
)
def test_all_nan_shortcuts_agree_with_numpy(value) -> None:
    try:
        with np.errstate(all="ignore"):
            values = np.asarray(value, dtype=float)
        expected = bool(values.size) and bool(np.isnan(values).all())
    except (TypeError, ValueError, OverflowError):
        expected = False
    assert checks._all_nan(value) == expected


def test_a_remembered_description_is_the_one_printed_now() -> None:
    array = np.linspace(-3, 3, 12).reshape(2, 6)
    first = checks.describe(array)
    assert checks.describe(array.copy()) == first
    with np.printoptions(linewidth=30):  # read by array2string: never answered from what was remembered
        narrow = checks.describe(array)
    assert narrow != first
    assert (
        narrow
        == "np.array("
        + np.array2string(array, separator=", ", threshold=12, edgeitems=3, precision=10, max_line_width=30)
        + ")"
    )
    assert checks.describe(array.astype(np.float32)).endswith("dtype=float32)")


def _launched(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_accounting_group_is_opt_in_and_best_effort(tmp_path: Path, monkeypatch) -> None:
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    monkeypatch.delenv(cgroup.ACCOUNTING_ENV, raising=False)
    assert cgroup.launch_command(command, None) == command  # unset: nothing changes
    group = tmp_path / "group"
    group.mkdir()
    monkeypatch.setenv(cgroup.ACCOUNTING_ENV, str(group))
    done = _launched(cgroup.launch_command(command, None))
    assert done.returncode == 0 and (group / "cgroup.procs").read_text().strip() == done.stdout.strip()
    memory = tmp_path / "memory"
    memory.mkdir()
    sandbox = cgroup.SandboxCgroup("v1", memory)
    done = _launched(cgroup.launch_command(command, sandbox))
    assert done.stdout.strip() == (memory / "cgroup.procs").read_text().strip()
    assert done.stdout.strip() == (group / "cgroup.procs").read_text().strip()
    monkeypatch.setenv(cgroup.ACCOUNTING_ENV, str(tmp_path / "missing"))
    assert _launched(cgroup.launch_command(command, sandbox)).returncode == 0  # cannot join: still runs
    gone = cgroup.SandboxCgroup("v1", tmp_path / "no-memory-group")
    assert _launched(cgroup.launch_command(command, gone)).returncode != 0  # the memory cap is required


WARM = """
import sys
from activation_lab.grading.batch import _WorkerPool
from activation_lab.grading.grade import make_context
ctx = make_context(sys.argv[1], isolation="none")
pool = _WorkerPool(1, ctx, lang="en", files=False, exercise_files={"relu.py", "c2f.py"})
print("matplotlib" in sys.modules)
list(pool.run([]))
pool.close()
"""


def test_the_batch_parent_warms_only_the_exercises_of_its_submissions() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", WARM, str(REPO)], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "False"  # no plots.py in the class: matplotlib never imported
