"""Text is rendered at the edge: another language re-renders a stored report, never re-runs student code."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from activation_lab.cli.main import main
from activation_lab.grading.batch import grade_batch
from activation_lab.i18n import Message, render
from activation_lab.reports.report import report_to_json, without_volatile
from activation_lab.reports.stored import read_records, records_path, report_data, report_from_data
from activation_lab.sandbox.session import Limits, SubmissionSandbox

WRONG_RELU = (
    "import numpy as np\n\ndef relu(x):\n    return x\n\ndef relu_grad(x):\n    return np.ones_like(x)\n"
)


def _counting_factory(log: Path):
    """The real sandbox, with one line appended to ``log`` per launch (workers are forked processes)."""

    def factory(files, limits, isolation):
        with log.open("a") as handle:
            handle.write("launch\n")
        return SubmissionSandbox(files, limits if limits is not None else Limits(), isolation=isolation)

    return factory


def _launches(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def two_submissions(write_submission) -> list[Path]:
    """One correct submission and one with a wrong ReLU (so there is feedback to translate), plus answers."""
    return [
        write_submission("good", reference=("relu.py", "sigmoid.py")),
        write_submission("bad", {"relu.py": WRONG_RELU}, reference=("step.py",), answers="relu-zero: 1\n"),
    ]


def test_resume_in_another_language_launches_no_sandbox(tmp_path, grading_context, two_submissions) -> None:
    log = tmp_path / "launches.log"
    ctx = dataclasses.replace(grading_context, sandbox_factory=_counting_factory(log))
    out = tmp_path / "out"

    english = grade_batch(two_submissions, ctx, lang="en", out_dir=out, jobs=2)
    assert _launches(log) == 2
    assert [r["lang"] for r in english.reports] == ["en", "en"]

    korean = grade_batch(two_submissions, ctx, lang="ko", out_dir=out, jobs=2, resume=True)
    assert _launches(log) == 2, "re-rendering in Korean ran student code again"
    assert korean.resumed == 2
    assert [r["lang"] for r in korean.reports] == ["ko", "ko"]
    assert json.loads((out / "bad.json").read_text(encoding="utf-8"))["lang"] == "ko"  # the file follows

    # The re-rendered reports are exactly what a fresh Korean grading gives.
    fresh = grade_batch(two_submissions, ctx, lang="ko", out_dir=tmp_path / "fresh", jobs=2)
    assert _launches(log) == 4
    assert [without_volatile(r) for r in korean.reports] == [without_volatile(r) for r in fresh.reports]
    bad_en, bad_ko = english.reports[1], korean.reports[1]
    failed_en = [t["feedback"] for e in bad_en["exercises"] for t in e["tests"] if t["status"] == "failed"]
    failed_ko = [t["feedback"] for e in bad_ko["exercises"] for t in e["tests"] if t["status"] == "failed"]
    assert failed_en and len(failed_en) == len(failed_ko) and failed_en != failed_ko


def test_a_missing_stored_form_means_grading_again(tmp_path, grading_context, two_submissions) -> None:
    log = tmp_path / "launches.log"
    ctx = dataclasses.replace(grading_context, sandbox_factory=_counting_factory(log))
    out = tmp_path / "out"
    grade_batch(two_submissions, ctx, lang="en", out_dir=out, jobs=1)
    records_path(out, "good").unlink()
    records_path(out, "bad").write_text("{not json", encoding="utf-8")
    again = grade_batch(two_submissions, ctx, lang="ko", out_dir=out, jobs=1, resume=True)
    assert (_launches(log), again.resumed) == (4, 0)
    # The same language needs no stored form at all: the JSON report itself is reused.
    same = grade_batch(two_submissions, ctx, lang="ko", out_dir=out, jobs=1, resume=True)
    assert (_launches(log), same.resumed) == (4, 2)


def test_the_cli_resumes_in_another_language(capsys, tmp_path, two_submissions) -> None:
    out = tmp_path / "out"
    paths = [str(path) for path in two_submissions]
    assert main(["grade", "--lang", "en", *paths, "--out", str(out), "--format", "json"]) == 0
    english = json.loads(capsys.readouterr().out)
    assert main(["grade", "--lang", "ko", *paths, "--out", str(out), "--resume", "--format", "json"]) == 0
    captured = capsys.readouterr()
    korean = json.loads(captured.out)
    assert "2" in captured.err  # "2 submission(s) skipped" in Korean
    assert [r["lang"] for r in korean] == ["ko", "ko"]
    assert [r["score"] for r in korean] == [r["score"] for r in english]
    assert korean[1]["exercises"] != english[1]["exercises"]  # titles and feedback translated


def test_stored_reports_read_back_equal(tmp_path, grading_context, two_submissions) -> None:
    from activation_lab.grading.grade import grade_path

    for path in two_submissions:
        report = grade_path(path, grading_context)
        data = json.loads(json.dumps(report_data(report)))
        assert report_from_data(data) == report
        for lang in ("en", "ko"):
            assert report_to_json(report_from_data(data), lang) == report_to_json(report, lang)
    assert read_records(tmp_path / "absent.json") is None


@pytest.mark.parametrize(
    ("value", "en", "ko"),
    [
        pytest.param(
            Message("grading", "exercise.missing", {"file": "relu.py"}), "relu.py", "relu.py", id="key"
        ),
        pytest.param(
            Message.text({"en": "step works", "ko": "step 동작"}), "step works", "step 동작", id="text"
        ),
        pytest.param(Message.text({"": "plain"}), "plain", "plain", id="plain-text"),
        pytest.param(
            Message.join(
                [Message.text({"en": " a ", "ko": " 가 "}), Message.text({"": " "})], "|", trim=True
            ),
            "a",
            "가",
            id="join-trim",
        ),
        pytest.param(Message("no-such-domain-key", "x", {}), None, None, id="unknown-catalogue"),
    ],
)
def test_messages_render_in_each_language(value, en, ko) -> None:
    if en is None:
        with pytest.raises(FileNotFoundError):
            render(value, "en")
        return
    assert en in render(value, "en") and ko in render(value, "ko")


def test_a_catalogue_text_missing_a_placeholder_still_renders_its_values() -> None:
    text = render(Message("grading", "exercise.missing", {"wrong_name": "relu.py"}), "en")
    assert "exercise.missing" in text and "relu.py" in text
