"""``activation-lab gradescope``: a results.json Gradescope accepts, with hidden tests kept hidden."""

from __future__ import annotations

import json
import zipfile

import jsonschema
import pytest

from activation_lab.cli.main import main
from activation_lab.reports.gradescope import results_json
from activation_lab.reports.report import SCHEMA_PATH

GRADESCOPE_SCHEMA = SCHEMA_PATH.with_name("gradescope.schema.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(GRADESCOPE_SCHEMA.read_text(encoding="utf-8")))


def _run(tmp_path, submission, *extra: str) -> tuple[int, dict]:
    results = tmp_path / "results" / "results.json"
    code = main(
        ["gradescope", "--submission", str(submission), "--results", str(results), "--lang", "en", *extra]
    )
    return code, json.loads(results.read_text(encoding="utf-8"))


def test_results_json_is_valid_and_scores_like_the_report(tmp_path, write_submission, validator) -> None:
    folder = write_submission(
        "submission",
        {"step.py": "def step(x):\n    return (x > 0) * 1\n"},
        reference=("relu.py", "sigmoid.py"),
    )
    code, results = _run(tmp_path, folder)
    assert code == 0
    errors = list(validator.iter_errors(results))
    assert not errors, errors[0].message
    assert isinstance(results["execution_time"], int | float) and results["execution_time"] >= 0
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert results["score"] == 20 + sum(t["score"] for t in results["tests"] if t["name"].startswith("step:"))
    names = [t["name"] for t in results["tests"]]
    assert len(names) == len(set(names))
    missing = [t for t in results["tests"] if t["name"].startswith(("c2f:", "tanh:"))]
    assert len(missing) == 2 and all(t["score"] == 0 and t["max_score"] == 10 for t in missing)
    assert results["extra_data"]["activation_lab"]["status"] == "graded"


@pytest.mark.parametrize("visibility", ["after_published", "hidden"])
def test_hidden_tests_get_the_chosen_visibility(tmp_path, write_submission, visibility) -> None:
    folder = write_submission("submission", reference=("step.py",))
    code, results = _run(tmp_path, folder, "--hidden-visibility", visibility)
    assert code == 0
    step_tests = [t for t in results["tests"] if t["name"].startswith("step:")]
    assert {t["visibility"] for t in step_tests} == {"visible", visibility}


def test_a_single_uploaded_zip_is_graded(tmp_path, reference_sources, validator) -> None:
    upload = tmp_path / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "hw.zip", "w") as archive:
        archive.writestr("hw/relu.py", reference_sources["relu.py"])
    code, results = _run(tmp_path, upload)
    assert code == 0 and results["score"] == 10
    assert not list(validator.iter_errors(results))


def test_an_empty_submission_scores_zero_with_a_valid_file(tmp_path, validator) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, results = _run(tmp_path, empty)
    assert code == 0 and results["score"] == 0
    assert not list(validator.iter_errors(results))


def test_quiz_items_are_hidden_until_published(tmp_path, write_submission, grading_context) -> None:
    if not grading_context.quizzes:
        pytest.skip("the course has no quiz")
    item = grading_context.quizzes[0].items[0]
    folder = write_submission("submission", answers=f"{item.id}: whatever\n")
    code, results = _run(tmp_path, folder)
    quiz_tests = [t for t in results["tests"] if t["name"].startswith("quiz:")]
    assert code == 0 and quiz_tests
    assert {t["visibility"] for t in quiz_tests} == {"after_published"}


def test_unknown_visibility_is_refused() -> None:
    report = {"exercises": [], "quiz": None, "notes": [], "error": None, "score": 0.0, "max_score": 0.0}
    with pytest.raises(ValueError, match="hidden_visibility"):
        results_json(report, lang="en", execution_time=0.0, hidden_visibility="public")  # type: ignore[arg-type]


def test_a_broken_course_writes_no_results_and_exits_3(tmp_path, write_submission) -> None:
    folder = write_submission("submission", reference=("relu.py",))
    results = tmp_path / "results.json"
    code = main(
        [
            "gradescope",
            "--submission",
            str(folder),
            "--results",
            str(results),
            "--course",
            str(tmp_path / "no-course"),
        ]
    )
    assert code == 3
    assert not results.exists()  # no zero grade is recorded for a fault of the grader


def test_a_grader_fault_on_the_submission_writes_no_results(tmp_path, write_submission, monkeypatch) -> None:
    from activation_lab.grading import grade as grading

    def faulty(path, ctx):
        return grading.error_report("submission", ctx, "suite crashed", kind="grader")

    monkeypatch.setattr(grading, "grade_path", faulty)
    results = tmp_path / "results.json"
    folder = write_submission("submission", reference=("relu.py",))
    assert main(["gradescope", "--submission", str(folder), "--results", str(results)]) == 3
    assert not results.exists()
