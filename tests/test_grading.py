"""grade_submission: real submissions through the real loader, sandbox and hidden suites; never raises."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest

from activation_lab.grading.grade import grade_path, grade_submission
from activation_lab.i18n import render
from activation_lab.reports.report import dumps_report, report_to_json
from activation_lab.sandbox.session import Limits
from activation_lab.submissions.load import load_submission

ALL_FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")

SLIDE_STEP = """\
import numpy as np

def step(x):
    if x >= 0:
        return 1
    else:
        return 0

def bipolar_step(x):
    return np.array(x > 0, dtype=np.int)
"""


def _grade(path, ctx):
    return grade_submission(load_submission(path, ctx.course), ctx)


def test_reference_solutions_score_full_marks(write_submission, grading_context) -> None:
    report = _grade(write_submission("ref", reference=ALL_FILES), grading_context)
    assert report.status == "graded"
    assert [e.id for e in report.exercises] == [spec.id for spec in grading_context.course.exercises]
    assert all(e.status == "graded" and e.score == e.max_score for e in report.exercises)
    full = sum(spec.max_score for spec in grading_context.course.exercises)
    quiz_max = sum(quiz.max_score for quiz in grading_context.quizzes)
    # The maximum is the course's: without answers.yaml the quiz part is 0 of its maximum, status missing.
    assert report.score == full and report.max_score == full + quiz_max
    assert report.quiz is None
    parts = [(p.id, p.status) for p in report.parts]
    assert parts == [("code", "graded"), ("quiz", "missing"), ("plots", "graded")]


def test_missing_files_score_zero_and_cost_only_their_exercise(write_submission, grading_context) -> None:
    report = _grade(write_submission("two", reference=("sigmoid.py", "relu.py")), grading_context)
    by_id = {e.id: e for e in report.exercises}
    for exercise_id in ("c2f", "step", "tanh"):
        assert by_id[exercise_id].status == "missing"
        assert by_id[exercise_id].score == 0
        assert by_id[exercise_id].max_score > 0
        assert f"{exercise_id}.py" in by_id[exercise_id].notes[0].render("en")
    assert by_id["sigmoid"].score == by_id["sigmoid"].max_score
    assert report.score == by_id["sigmoid"].score + by_id["relu"].score
    quiz_max = sum(quiz.max_score for quiz in grading_context.quizzes)
    assert report.max_score == sum(e.max_score for e in report.exercises) + quiz_max


def test_the_slides_step_loses_marks_with_hints(write_submission, grading_context) -> None:
    report = _grade(write_submission("slide", {"step.py": SLIDE_STEP}), grading_context)
    step = next(e for e in report.exercises if e.id == "step")
    assert step.status == "graded"
    assert 0 < step.score < step.max_score
    hints = {hint for test in step.tests for hint in test.hints}
    assert {"ambiguous_truth", "np_int_removed"} <= hints


@pytest.mark.parametrize(
    ("source", "status"),
    [
        pytest.param("def step(x)\n    return 1\n", "error", id="syntax-error"),
        pytest.param("import numpy as np\nraise SystemExit(3)\n", "error", id="exit-at-import"),
        pytest.param("\ufffd\x00\x01binary", "missing", id="binary-garbage-is-not-taken"),
    ],
)
def test_a_broken_file_is_an_exercise_status_not_an_exception(
    write_submission, grading_context, source, status
) -> None:
    report = _grade(write_submission("broken", {"step.py": source}, reference=("relu.py",)), grading_context)
    by_id = {e.id: e for e in report.exercises}
    assert report.status == "graded"
    assert by_id["step"].status == status
    assert by_id["step"].score == 0
    assert by_id["relu"].score == by_id["relu"].max_score  # the untouched file is graded normally


def test_an_endless_import_times_out_within_its_limit(write_submission, grading_context) -> None:
    ctx = dataclasses.replace(grading_context, limits=Limits(exercise_seconds=1.0, call_seconds=1.0))
    folder = write_submission("loop", {"tanh.py": "while True:\n    pass\n"}, reference=("c2f.py",))
    report = _grade(folder, ctx)
    by_id = {e.id: e for e in report.exercises}
    assert by_id["tanh"].status == "timeout"
    assert by_id["tanh"].score == 0
    assert by_id["c2f"].score == by_id["c2f"].max_score


def test_unreadable_path_is_a_submission_error(tmp_path, grading_context) -> None:
    report = grade_path(tmp_path / "nobody", grading_context)
    assert report.status == "error"
    assert report.extra["error_kind"] == "submission"
    assert report.error and "nobody" in report.error.render("en")
    assert report.score == 0 and report.exercises == ()


def test_a_bad_zip_is_a_submission_error(tmp_path, grading_context) -> None:
    bad = tmp_path / "carol.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    report = grade_path(bad, grading_context)
    assert (report.status, report.extra["error_kind"], report.submission) == ("error", "submission", "carol")


def test_broken_suites_are_a_grader_fault(tmp_path, write_submission, grading_context) -> None:
    course_root = tmp_path / "course"
    shutil.copytree(grading_context.course.root / "autograder", course_root / "autograder")
    shutil.copytree(grading_context.course.root / "solutions", course_root / "solutions")
    (course_root / "autograder" / "test_relu.py").write_text("import no_such_module_anywhere\n")
    from activation_lab.course import load_course

    ctx = dataclasses.replace(grading_context, course=load_course(course_root))
    report = _grade(write_submission("ref", reference=ALL_FILES), ctx)
    assert report.status == "error"
    assert report.extra["error_kind"] == "grader"
    assert "not your fault" in render(report.error, "en")


def test_a_sandbox_that_cannot_start_is_a_grader_fault(write_submission, grading_context) -> None:
    def no_sandbox(files, limits, isolation):
        raise OSError("bwrap: cannot create namespace")

    ctx = dataclasses.replace(grading_context, sandbox_factory=no_sandbox)
    report = _grade(write_submission("ref", reference=("step.py",)), ctx)
    assert (report.status, report.extra["error_kind"]) == ("error", "grader")
    assert "cannot create namespace" in render(report.error, "en")


def test_answers_yaml_adds_the_quiz_to_the_total(write_submission, grading_context) -> None:
    if not grading_context.quizzes:
        pytest.skip("the course has no quiz")
    first = grading_context.quizzes[0].items[0]
    report = _grade(
        write_submission("quiz", {}, reference=("relu.py",), answers=f"{first.id}: nonsense\n"),
        grading_context,
    )
    assert report.quiz is not None
    assert report.quiz.max_score > 0
    assert first.id in {item.id for item in report.quiz.items}
    exercise_max = sum(e.max_score for e in report.exercises)
    assert report.max_score == pytest.approx(exercise_max + report.quiz.max_score)
    assert report.score == pytest.approx(sum(e.score for e in report.exercises) + report.quiz.score)


def test_unreadable_answers_yaml_scores_zero_without_raising(write_submission, grading_context) -> None:
    if not grading_context.quizzes:
        pytest.skip("the course has no quiz")
    report = _grade(write_submission("badyaml", {}, answers="key: [unclosed\n  - : :\n"), grading_context)
    assert report.status == "graded"
    assert report.quiz is not None and report.quiz.score == 0


def test_same_submission_and_seed_give_identical_json(write_submission, grading_context) -> None:
    folder = write_submission("same", {"step.py": SLIDE_STEP}, reference=("sigmoid.py", "tanh.py"))
    first = dumps_report(report_to_json(_grade(folder, grading_context), "en"))
    second = dumps_report(report_to_json(_grade(folder, grading_context), "en"))
    assert first == second


def test_the_seed_is_recorded(write_submission, grading_context) -> None:
    ctx = dataclasses.replace(grading_context, seed=1234)
    data = report_to_json(_grade(write_submission("seeded", reference=("relu.py",)), ctx), "en")
    assert data["seed"] == 1234


def _die(files, limits, isolation):
    os._exit(7)  # the trusted worker itself dies (what a grader bug or the OOM killer would do)


def test_a_dying_grading_worker_is_a_grader_fault_and_the_batch_ends(
    write_submission, grading_context
) -> None:
    from activation_lab.grading.batch import grade_batch

    ctx = dataclasses.replace(grading_context, sandbox_factory=_die)
    paths = [write_submission(name, reference=("relu.py",)) for name in ("w1", "w2", "w3")]
    result = grade_batch(paths, ctx, lang="en", jobs=2)
    assert [r["submission"] for r in result.reports] == ["w1", "w2", "w3"]
    assert all(r["status"] == "error" and r["error_kind"] == "grader" for r in result.reports)
    assert result.grader_faults == 3


def test_resume_never_trusts_a_report_made_by_other_suites(
    tmp_path, write_submission, grading_context
) -> None:
    from activation_lab.course import load_course
    from activation_lab.grading.batch import is_up_to_date
    from activation_lab.grading.grade import course_hash

    folder = write_submission("r", reference=("relu.py",))
    submission = load_submission(folder, grading_context.course)
    stored = report_to_json(grade_submission(submission, grading_context), "en")
    assert is_up_to_date(stored, submission.content_hash, grading_context)
    course_root = tmp_path / "course"
    shutil.copytree(grading_context.course.root / "autograder", course_root / "autograder")
    shutil.copytree(grading_context.course.root / "solutions", course_root / "solutions")
    suite = course_root / "autograder" / "test_relu.py"
    suite.write_text(suite.read_text() + "\n# an edited suite, suite_version not bumped\n")
    edited = dataclasses.replace(grading_context, suite_hash=course_hash(load_course(course_root)))
    assert edited.suite_hash != grading_context.suite_hash
    assert not is_up_to_date(stored, submission.content_hash, edited)
    assert not is_up_to_date(stored, submission.content_hash, dataclasses.replace(grading_context, seed=1))
    assert not is_up_to_date(stored, "0" * 64, grading_context)
