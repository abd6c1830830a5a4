"""The otter zip grades the course's normal upload (five ``.py`` + ``answers.yaml``), quiz included.

The Gradescope container is simulated: the zip unpacked into ROOT/source, the upload in ROOT/submission,
and the zip's own ``run_otter.py`` run with ``ACTIVATION_LAB_AUTOGRADER_ROOT=ROOT`` (otter's containerized
path, not ``otter run``), so the gathering step and otter's single-file rule meet as they do on Gradescope.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from activation_lab.course import load_course
from activation_lab.grading.grade import grade_path, make_context
from activation_lab.integrations.otter.generate import generate_assignment
from activation_lab.integrations.otter.upload import (
    PLACEHOLDER,
    UPLOAD_DIRNAME,
    gather_upload,
    rewrite_run_otter,
)
from activation_lab.reports.report import report_to_json

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "submissions"


@pytest.mark.parametrize(
    ("files", "gathered"),
    [
        pytest.param(["relu.py"], False, id="one-script"),
        pytest.param(["work.ipynb"], False, id="one-notebook"),
        pytest.param(["relu.py", "step.py"], True, id="two-scripts"),
        pytest.param(["relu.py", "answers.yaml"], True, id="script-and-answers"),
        pytest.param(["answers.yaml"], True, id="answers-only"),
    ],
)
def test_gather_upload_moves_only_what_otter_cannot_grade_alone(tmp_path, files, gathered) -> None:
    for name in files:
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    assert gather_upload(tmp_path) is gathered
    if gathered:
        assert sorted(p.name for p in (tmp_path / UPLOAD_DIRNAME).iterdir()) == sorted(files)
        assert sorted(p.name for p in tmp_path.glob("*.py")) == [PLACEHOLDER]
        assert gather_upload(tmp_path) is False  # a second call changes nothing
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)


def test_rewrite_run_otter_keeps_the_root_and_gathers_first() -> None:
    original = 'from otter.run.run_autograder import main as run_autograder\n\nif __name__ == "__main__":\n'
    original += '    run_autograder("/autograder")\n'
    text = rewrite_run_otter(original)
    compile(text, "run_otter.py", "exec")
    assert text.index("gather_upload(") < text.index("run_autograder(root)")
    assert "'/autograder'" in text
    with pytest.raises(ValueError):
        rewrite_run_otter("print('something else')\n")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    assignment = generate_assignment(
        load_course(REPO), tmp_path_factory.mktemp("otter") / "a", lang="en", seed=0
    )
    return assignment.autograder_zip


def _container_run(autograder_zip: Path, upload: list[Path], base: Path) -> dict:
    root = base / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    (root / "submission_metadata.json").write_text("{}", encoding="utf-8")
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for path in upload:
        shutil.copy(path, root / "submission" / path.name)
    env = dict(os.environ, ACTIVATION_LAB_AUTOGRADER_ROOT=str(root))
    done = subprocess.run(
        [sys.executable, str(root / "source" / "run_otter.py")],
        env=env,
        cwd=base,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = root / "results" / "results.json"
    assert results.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_five_file_upload_with_answers_grades_with_the_quiz(autograder_zip, tmp_path) -> None:
    student = DEMO / "student02"
    upload = sorted(p for p in student.iterdir() if p.suffix in (".py", ".yaml"))
    assert len(upload) == 6
    results = _container_run(autograder_zip, upload, tmp_path)
    assert not any("Autograder" in t["name"] for t in results["tests"]), results["tests"][:2]
    ours = report_to_json(grade_path(student, make_context(REPO, seed=0)), "en")
    assert ours["quiz"] is not None
    scores = {t["name"]: t["score"] for t in results["tests"] if "max_score" in t}
    assert scores == {**{e["id"]: e["score"] for e in ours["exercises"]}, "quiz": ours["quiz"]["score"]}
    # A top-level score out of the course's fixed maximum (code + quiz), equal to our engine's.
    assert results["score"] == pytest.approx(ours["score"])
    possible = sum(t["max_score"] for t in results["tests"] if "max_score" in t)
    assert possible == pytest.approx(ours["max_score"])
    # Visibility from the course ([grading] hidden_visibility = after_published): the files with hidden
    # tests show after publishing, and the public tests' summary is visible at once.
    assert {t["visibility"] for t in results["tests"] if "max_score" in t} == {"after_published"}
    assert any(t["name"] == "Public Tests" and t["visibility"] == "visible" for t in results["tests"])


@pytest.mark.slow
def test_an_upload_without_answers_scores_the_quiz_zero(autograder_zip, tmp_path) -> None:
    upload = [REPO / "solutions" / name for name in ("relu.py", "tanh.py")]
    results = _container_run(autograder_zip, upload, tmp_path)
    quiz = next(t for t in results["tests"] if t["name"] == "quiz")
    assert quiz["score"] == 0 and quiz["max_score"] > 0
    assert results["score"] == pytest.approx(20)
