"""``activation-lab grade`` via ``main([...])``: JSON order, exit codes, --out, --resume, Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from activation_lab.cli.main import main
from activation_lab.reports.report import read_report

REPO = Path(__file__).resolve().parents[1]
ALL_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")


def _grade_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["grade", "--lang", "en", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_json_is_one_array_in_path_order(capsys, write_submission) -> None:
    zed = write_submission("zed", reference=("relu.py",))
    amy = write_submission("amy", reference=("step.py",))
    mid = write_submission("mid", {"tanh.py": "def tanh(x):\n    return 0\n"})
    code, reports = _grade_json(capsys, str(zed), str(amy), str(mid), "--jobs", "2")
    assert code == 0
    assert [r["submission"] for r in reports] == ["zed", "amy", "mid"]
    assert [e["id"] for e in reports[0]["exercises"]][4:] == ["relu", "plots"]


def test_a_missing_path_is_an_error_object_and_exit_0(capsys, tmp_path, write_submission) -> None:
    good = write_submission("good", reference=("sigmoid.py",))
    code, reports = _grade_json(capsys, str(tmp_path / "ghost"), str(good))
    assert code == 0
    assert [r["status"] for r in reports] == ["error", "graded"]
    assert reports[0]["submission"] == "ghost"
    assert reports[0]["error_kind"] == "submission"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["grade"], id="no-path"),
        pytest.param(["grade", "x", "--jobs", "0"], id="zero-jobs"),
        pytest.param(["grade", "x", "--jobs", "two"], id="jobs-not-a-number"),
        pytest.param(["grade", "x", "--format", "xml"], id="unknown-format"),
        pytest.param(["grade", "x", "--lang", "fr"], id="unknown-language"),
        pytest.param(["grade", "x", "--resume"], id="resume-without-out"),
        pytest.param(["grade", "x", "--no-such-option"], id="unknown-option"),
    ],
)
def test_usage_errors_exit_2(capsys, argv) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().out == ""


def test_broken_course_is_a_grader_fault_exit_3(capsys, tmp_path, write_submission) -> None:
    good = write_submission("good", reference=("sigmoid.py",))
    assert main(["grade", str(good), "--course", str(tmp_path / "no-course")]) == 3
    assert "manifest" in capsys.readouterr().err


def test_out_writes_reports_and_grades_csv(capsys, tmp_path, write_submission) -> None:
    out = tmp_path / "out"
    a = write_submission("a", reference=ALL_FILES)
    b = write_submission("b", reference=("c2f.py",))
    code, reports = _grade_json(capsys, str(a), str(b), str(tmp_path / "gone"), "--out", str(out))
    assert code == 0
    for report in reports:
        assert read_report(out / f"{report['submission']}.json") == report
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "submission",
        "c2f",
        "sigmoid",
        "step",
        "tanh",
        "relu",
        "plots",
        "quiz",
        "code",
        "total",
        "max_total",
        "status",
    ]
    assert [row["submission"] for row in rows] == ["a", "b", "gone"]
    # the code part is the five activation exercises; the figures are their own part (column `plots`)
    assert float(rows[0]["code"]) == 50 and float(rows[0]["plots"]) == 10
    assert float(rows[0]["total"]) == reports[0]["score"] == 60
    assert {float(row["max_total"]) for row in rows} == {reports[0]["max_score"]}  # one fixed maximum
    assert float(rows[1]["c2f"]) == 10 and float(rows[1]["sigmoid"]) == 0 and rows[1]["quiz"] == ""
    assert rows[2]["status"] == "error"
    assert not list(out.glob(".*tmp"))


def test_json_streamed_from_the_files_is_the_text_held_in_memory(capsys, tmp_path, write_submission) -> None:
    # With --out the array is read back from the written files one report at a time (a class's reports are
    # never held together); it must be the very text the in-memory path prints.
    a = write_submission("a", reference=ALL_FILES)
    b = write_submission("b", {"relu.py": "def relu(x):\n    return max(0, x)\n"})
    paths = [str(a), str(b), str(tmp_path / "gone")]
    assert main(["grade", "--lang", "ko", "--format", "json", "--seed", "3", *paths]) == 0
    held = capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["grade", "--lang", "ko", "--format", "json", "--seed", "3", *paths, "--out", str(out)]) == 0
    streamed = capsys.readouterr().out
    assert streamed == held
    assert [r["submission"] for r in json.loads(streamed)] == ["a", "b", "gone"]


def test_a_batch_holds_summaries_and_the_table_reads_the_same_from_them(tmp_path, reference_sources) -> None:
    from rich.console import Console

    from activation_lab.cli.tables import summary_table
    from activation_lab.grading import make_context
    from activation_lab.grading.batch import SUMMARY_KEYS, grade_batch, report_summary

    klass = _class_folder(tmp_path, reference_sources)
    ctx = make_context(REPO)
    full = grade_batch([klass], ctx, lang="en", jobs=1, out_dir=tmp_path / "full").reports
    kept = grade_batch([klass], ctx, lang="en", jobs=1, out_dir=tmp_path / "k", keep=report_summary).reports
    assert [set(r) for r in kept] == [{*SUMMARY_KEYS, "exercises", "quiz"}] * len(full)
    assert all(set(e) == {"id", "status", "score"} for r in kept for e in r["exercises"])
    ids = [spec.id for spec in ctx.course.exercises]

    def shown(reports) -> str:
        console = Console(width=140, record=True, file=io.StringIO())
        console.print(summary_table(reports, ids, "en"))
        return console.export_text()

    assert shown(kept) == shown(full)


def test_resume_skips_up_to_date_results_and_regrades_changed_ones(
    capsys, tmp_path, write_submission
) -> None:
    out = tmp_path / "out"
    kept = write_submission("kept", reference=("relu.py",))
    changed = write_submission("changed", reference=("relu.py",))
    assert main(["grade", "--lang", "en", str(kept), str(changed), "--out", str(out)]) == 0
    # Mark both stored results; a skipped submission keeps the mark, a regraded one loses it.
    for name in ("kept", "changed"):
        data = json.loads((out / f"{name}.json").read_text())
        data["notes"] = ["marker"]
        (out / f"{name}.json").write_text(json.dumps(data))
    (changed / "step.py").write_text("def step(x):\n    return 1\n")
    capsys.readouterr()
    code, reports = _grade_json(capsys, str(kept), str(changed), "--out", str(out), "--resume")
    assert code == 0
    assert reports[0]["notes"] == ["marker"]
    assert reports[1]["notes"] == []
    assert json.loads((out / "changed.json").read_text())["notes"] == []
    # Another seed is another result: nothing is skipped.
    code, reports = _grade_json(capsys, str(kept), "--out", str(out), "--resume", "--seed", "7")
    assert reports[0]["notes"] == [] and reports[0]["seed"] == 7


def _class_folder(root: Path, reference_sources: dict[str, str]) -> Path:
    klass = root / "class"
    for name in ("bo", "al"):
        (klass / name).mkdir(parents=True)
        (klass / name / "relu.py").write_text(reference_sources["relu.py"])
    with zipfile.ZipFile(klass / "cy.zip", "w") as archive:
        archive.writestr("cy/sigmoid.py", reference_sources["sigmoid.py"])
    (klass / "step.txt").write_text("not a submission")  # neither a folder, .zip, .ipynb nor .py: ignored
    (klass / ".hidden").mkdir()
    return klass


def test_a_class_folder_is_expanded_in_name_order(capsys, tmp_path, reference_sources) -> None:
    klass = _class_folder(tmp_path, reference_sources)
    code, reports = _grade_json(capsys, str(klass))
    assert code == 0
    assert [r["submission"] for r in reports] == ["al", "bo", "cy"]
    assert reports[2]["score"] == 10


def test_a_folder_with_exercise_files_is_one_submission(capsys, write_submission) -> None:
    folder = write_submission("solo", reference=("relu.py",))
    (folder / "__pycache__").mkdir()  # debris never makes it look like a class
    code, reports = _grade_json(capsys, str(folder))
    assert code == 0
    assert [r["submission"] for r in reports] == ["solo"]


def test_exercise_files_beside_a_sub_folder_need_layout(capsys, write_submission) -> None:
    folder = write_submission("solo", reference=("relu.py",))
    (folder / "extra").mkdir()
    (folder / "extra" / "c2f.py").write_text("x = 1\n")
    assert main(["grade", "--format", "json", str(folder)]) == 2  # one student or a class? never guessed
    assert "--layout" in capsys.readouterr().err
    code, reports = _grade_json(capsys, str(folder), "--layout", "submission")
    assert code == 0
    assert [r["submission"] for r in reports] == ["solo"]


def test_table_output_names_every_submission(capsys, tmp_path, reference_sources) -> None:
    klass = _class_folder(tmp_path, reference_sources)
    assert main(["grade", "--lang", "ko", str(klass)]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("al", "bo", "cy")) and "총점" in out


def test_single_submission_table_shows_failed_tests_feedback(capsys, write_submission) -> None:
    folder = write_submission("one", {"relu.py": "def relu(x):\n    return max(0, x)\n"})
    assert main(["grade", "--lang", "en", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "one" in out
    assert "Checked" in out  # the feedback of a failed test (built-in max on an array) is shown


@pytest.mark.slow
def test_an_interrupted_batch_keeps_complete_results_and_resume_finishes(
    capsys, tmp_path, reference_sources
) -> None:
    klass = tmp_path / "class"
    names = [f"s{i:02d}" for i in range(12)]
    for name in names:
        (klass / name).mkdir(parents=True)
        for file_name in ("step.py", "relu.py", "sigmoid.py"):
            (klass / name / file_name).write_text(reference_sources[file_name])
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "activation_lab", "grade", str(klass), "--out", str(out), "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("s*.json"))) < 2:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err.decode()
    written = sorted(out.glob("s*.json"))
    assert 2 <= len(written) < len(names), "the batch should have been stopped mid-way"
    assert all(read_report(path) is not None for path in written)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [row["submission"] for row in rows] == [p.stem for p in written]
    # Resume grades only what is left and ends with every result.
    assert main(["grade", "--lang", "en", str(klass), "--out", str(out), "--resume"]) == 0
    assert f"{len(written)} submission(s) skipped" in capsys.readouterr().err
    assert sorted(p.stem for p in out.glob("s*.json")) == names
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [row["submission"] for row in rows] == names
    assert all(float(row["total"]) == 30 for row in rows)


HOSTILE_TANH = """\
import os
import sys

import numpy as np

np.tanh = lambda x: 0            # only this sandbox's NumPy
sys.modules["numpy"].allclose = lambda *a, **k: True
open("/tmp/forged.json", "w").write("{}")


def tanh(x):
    os._exit(0)


def tanh_grad(x):
    while True:
        pass
"""


@pytest.mark.slow
def test_a_hostile_submission_never_changes_the_next_ones_grade(capsys, write_submission) -> None:
    good = write_submission(
        "good", {"step.py": "def step(x):\n    return 1\n"}, reference=("tanh.py", "relu.py")
    )
    hostile = write_submission("hostile", {"tanh.py": HOSTILE_TANH}, reference=("relu.py",))
    _, alone = _grade_json(capsys, str(good))
    code, batch = _grade_json(
        capsys, str(hostile), str(good), "--jobs", "1"
    )  # same worker, one after another
    assert code == 0
    assert batch[1] == alone[0]
    tanh = next(e for e in batch[0]["exercises"] if e["id"] == "tanh")
    assert tanh["status"] in ("error", "timeout") and tanh["score"] < tanh["max_score"]


def test_jobs_never_change_a_result(capsys, tmp_path, reference_sources) -> None:
    klass = _class_folder(tmp_path, reference_sources)
    (klass / "dee").mkdir()
    (klass / "dee" / "step.py").write_text("def step(x):\n    return (x > 0) * 1\n")
    _, one = _grade_json(capsys, str(klass), "--jobs", "1")
    _, two = _grade_json(capsys, str(klass), "--jobs", "2")
    assert json.dumps(one) == json.dumps(two)
    assert [r["submission"] for r in one] == ["al", "bo", "cy", "dee"]


@pytest.mark.parametrize(
    ("mode", "warned"),
    [pytest.param("none", True, id="fallback-warns"), pytest.param("bwrap", False, id="bwrap-is-quiet")],
)
def test_a_weak_sandbox_is_announced_on_stderr(capsys, monkeypatch, write_submission, mode, warned) -> None:
    if mode == "bwrap" and not Path("/usr/bin/bwrap").exists():
        pytest.skip("bubblewrap is not installed here")
    monkeypatch.delenv("ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX", raising=False)
    monkeypatch.setenv("ACTIVATION_LAB_SANDBOX", mode)
    student = write_submission("weak", reference=("relu.py",))
    code = main(["grade", "--lang", "en", "--format", "json", str(student)])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)[0]["isolation"] == mode
    assert ("WARNING" in captured.err and "docs/security.md" in captured.err) is warned
