"""``activation-lab course check``: the real course passes; each kind of broken course content is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from activation_lab.cli.main import main
from activation_lab.grading.course_check import check_course

REPO = Path(__file__).resolve().parents[1]


def test_the_course_passes_its_own_check(capsys) -> None:
    """CI runs the course check through this test: a broken course fails the build before a semester."""
    assert main(["course", "check", "--course", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert out.count("ok   solutions/") == 6 and out.count("ok   exercises/") == 6  # five + plots
    assert "ok   quiz key sigmoid-at-zero" in out


@pytest.fixture
def course_copy(tmp_path) -> Path:
    root = tmp_path / "course"
    for part in ("autograder", "solutions", "quizzes", "exercises"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _failures(root: Path) -> list[str]:
    return [f"{f.name}: {f.detail}" for f in check_course(root) if not f.ok]


def test_points_that_disagree_with_the_manifest_are_caught(course_copy) -> None:
    manifest = course_copy / "autograder" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    relu = 'max_score = 10\nsuite = "autograder/test_relu.py"'
    assert relu in text
    manifest.write_text(text.replace(relu, relu.replace("10", "12")), encoding="utf-8")
    failures = _failures(course_copy)
    assert failures and "manifest says max_score = 12" in " ".join(failures)


def test_a_wrong_reference_is_caught(course_copy) -> None:
    path = course_copy / "solutions" / "relu.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\ndef relu(x):\n    return x\n", encoding="utf-8")
    failures = _failures(course_copy)
    assert any(f.startswith("solutions/relu.py earns 10/10") for f in failures)
    assert not any(f.startswith("solutions/sigmoid.py") for f in failures)


def test_a_stub_that_earns_points_is_caught(course_copy) -> None:
    shutil.copy(course_copy / "solutions" / "step.py", course_copy / "exercises" / "step.py")
    failures = _failures(course_copy)
    assert [f.split(":")[0] for f in failures] == ["exercises/step.py scores 0, not attempted"]


def test_a_quiz_key_that_disagrees_with_solutions_is_caught(course_copy) -> None:
    quiz = course_copy / "quizzes" / "activations.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(
        text.replace("answer: {value: 0.25, tolerance", "answer: {value: 0.3, tolerance", 1), "utf-8"
    )
    failures = _failures(course_copy)
    assert failures == ["quiz key sigmoid-grad-at-zero: key 0.3 but sigmoid_grad(0) = 0.25"]


def test_a_quiz_that_does_not_validate_is_caught(course_copy) -> None:
    (course_copy / "quizzes" / "broken.yaml").write_text("id: broken\nitems: 3\n", encoding="utf-8")
    failures = _failures(course_copy)
    assert len(failures) == 1 and failures[0].startswith("quizzes validate")


def test_a_broken_manifest_is_one_failure_and_exit_1(course_copy, capsys) -> None:
    manifest = course_copy / "autograder" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace('parts = ["code", "quiz", "plots"]', 'parts = ["code", "figures"]'), encoding="utf-8"
    )
    assert main(["course", "check", "--course", str(course_copy)]) == 1
    out = capsys.readouterr().out
    assert "FAIL manifest reads" in out and "figures" in out
