"""run_suites: one pytest session per call, and every path a student or an instructor can reach through it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rendered import rendered

from activation_lab.course import load_course
from activation_lab.errors import CourseError, ExerciseAborted
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import run_suites
from activation_lab.records import CallResult, Raised

REPO = Path(__file__).resolve().parents[1]
COURSE = load_course(REPO)


def _student(tmp_path: Path, file_name: str, source: str) -> InProcessStudent:
    folder = tmp_path / f"student_{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / file_name).write_text(source, encoding="utf-8")
    return InProcessStudent(folder / file_name)


def _reference(exercise_id: str) -> InProcessStudent:
    return InProcessStudent(COURSE.solutions_dir / COURSE.exercise(exercise_id).file)


@pytest.fixture
def course_copy(tmp_path):
    """A writable copy of the course content (manifest, suites, references) for instructor-error paths."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "autograder", root / "autograder")
    shutil.copytree(REPO / "solutions", root / "solutions")
    return root


# --------------------------------------------------------------------------------------------------
# student errors
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("def step(x)\n    return 1\n", ["SyntaxError", "line 1"], id="syntax-error"),
        pytest.param("def step(x):\nreturn 1\n", ["IndentationError", "line 2"], id="indentation-error"),
        pytest.param(
            "import numpy as np\nINT = np.int\n", ["AttributeError", "np.int"], id="np-int-at-import"
        ),
        pytest.param("import no_such_module_here\n", ["ModuleNotFoundError"], id="missing-import"),
    ],
)
def test_a_module_that_does_not_import_is_an_error_with_its_line(tmp_path, source, expected) -> None:
    result = rendered(
        run_suites(COURSE, {"step": _student(tmp_path, "step.py", source)}, seed=0)["step"], "en"
    )
    assert result.status == "error"
    assert result.score == 0
    assert result.tests and all(t.score == 0 and t.status == "failed" for t in result.tests)
    for text in expected:
        assert text in result.notes[0]
        assert all(text in t.feedback for t in result.tests)


def test_removed_numpy_alias_at_import_gets_its_hint(tmp_path) -> None:
    student = _student(tmp_path, "step.py", "import numpy as np\nINT = np.int\n")
    result = rendered(run_suites(COURSE, {"step": student}, seed=0)["step"], "en")
    assert all(t.hints == ("np_int_removed",) for t in result.tests)


def test_a_missing_function_costs_only_its_own_tests(tmp_path) -> None:
    student = _student(tmp_path, "relu.py", "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n")
    result = rendered(run_suites(COURSE, {"relu": student}, seed=0)["relu"], "en")
    assert result.status == "graded" and result.attempted
    assert 0 < result.score < result.max_score
    for test in result.tests:
        assert test.status == "passed" or test.hints == ("missing_function",), test
    assert any(t.status == "passed" and t.max_score > 0 for t in result.tests)


def test_a_partly_done_stub_is_attempted(tmp_path) -> None:
    source = (
        "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"
        "def relu_grad(x):\n    raise NotImplementedError\n"
    )
    result = rendered(
        run_suites(COURSE, {"relu": _student(tmp_path, "relu.py", source)}, seed=0)["relu"], "en"
    )
    assert result.attempted and 0 < result.score < result.max_score
    assert any("not_attempted" in t.hints for t in result.tests)


class _StopsAfter:
    """A StudentCode whose process is gone after ``calls`` calls, as the sandbox reports a timeout."""

    def __init__(self, inner: Any, calls: int, status: str = "timeout", at_import: bool = False) -> None:
        self.inner = inner
        self.left = calls
        self.status = status
        self.at_import = at_import

    @property
    def import_error(self) -> Raised | None:
        if self.at_import:
            raise ExerciseAborted(self.status, "the module did not finish importing within 10 s")
        return self.inner.import_error

    def defines(self, name: str) -> bool:
        return self.inner.defines(name)

    def call(self, name: str, *args: Any) -> CallResult:
        if self.left <= 0:
            raise ExerciseAborted(self.status, "stopped after 10 s of CPU time")
        self.left -= 1
        return self.inner.call(name, *args)

    def calls(self, name: str, arg_lists: Any) -> Iterator[CallResult]:
        for args in arg_lists:  # the abort comes at the call it would come at one by one
            result = self.call(name, *args)
            yield result
            if result.raised is not None:
                return


@pytest.mark.parametrize("status", ["timeout", "memory", "error"])
def test_an_aborted_exercise_keeps_the_points_passed_before(status) -> None:
    student = _StopsAfter(_reference("sigmoid"), calls=6, status=status)
    result = rendered(run_suites(COURSE, {"sigmoid": student}, seed=0)["sigmoid"], "en")
    assert result.status == status
    passed = [t for t in result.tests if t.status == "passed" and t.max_score > 0]
    assert passed, "the tests before the abort keep their points"
    assert result.score == sum(t.max_score for t in passed) < result.max_score
    first_failed = next(i for i, t in enumerate(result.tests) if t.status != "passed")
    assert "stopped after 10 s" in result.tests[first_failed].feedback
    later = [t for t in result.tests[first_failed + 1 :]]
    assert later and all(t.score == 0 and t.status == "failed" and "Not run" in t.feedback for t in later)
    assert any("stopped after 10 s" in note for note in result.notes)


def test_an_exercise_aborted_while_importing_scores_zero() -> None:
    student = _StopsAfter(_reference("relu"), calls=100, at_import=True)
    result = rendered(run_suites(COURSE, {"relu": student}, seed=0)["relu"], "en")
    assert result.status == "timeout" and result.score == 0
    assert all("10 s" in t.feedback for t in result.tests)


def test_an_abort_in_one_exercise_does_not_touch_another() -> None:
    students = {"relu": _StopsAfter(_reference("relu"), calls=0), "step": _reference("step")}
    results = rendered(run_suites(COURSE, students, seed=0), "en")
    assert results["relu"].status == "timeout" and results["relu"].score == 0
    assert results["step"].status == "graded" and results["step"].score == results["step"].max_score


# --------------------------------------------------------------------------------------------------
# feedback: hidden vs public, language, seed
# --------------------------------------------------------------------------------------------------

WRONG_SIGMOID = (
    "import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(x))\n"
    "def sigmoid_grad(x):\n    return x\n"
)


def test_hidden_tests_never_show_expected_values(tmp_path) -> None:
    student = _student(tmp_path, "sigmoid.py", WRONG_SIGMOID)
    result = rendered(run_suites(COURSE, {"sigmoid": student}, seed=0)["sigmoid"], "en")
    hidden_failed = [t for t in result.tests if t.hidden and t.status == "failed"]
    public_failed = [t for t in result.tests if not t.hidden and t.status == "failed"]
    assert hidden_failed and public_failed
    assert all("Expected:" not in t.feedback and "Got:" not in t.feedback for t in hidden_failed)
    assert all("Expected:" in t.feedback and "Got:" in t.feedback for t in public_failed)
    assert all("Checked:" in t.feedback and "Rule:" in t.feedback for t in hidden_failed + public_failed)
    assert all("def test_" not in t.feedback and "reference" not in t.feedback for t in result.tests)


def test_titles_and_feedback_follow_the_language(tmp_path) -> None:
    student = _student(tmp_path, "sigmoid.py", WRONG_SIGMOID)
    english = rendered(run_suites(COURSE, {"sigmoid": student}, seed=0)["sigmoid"], "en")
    korean = rendered(run_suites(COURSE, {"sigmoid": student}, seed=0)["sigmoid"], "ko")
    assert [t.name for t in english.tests] != [t.name for t in korean.tests]
    assert any("슬라이드" in t.name for t in korean.tests)
    failed = [t for t in korean.tests if t.status == "failed"]
    assert failed and all("확인한 것" in t.feedback for t in failed)
    assert [t.score for t in english.tests] == [t.score for t in korean.tests]


def test_the_same_seed_gives_the_same_result_and_another_seed_other_inputs(tmp_path) -> None:
    student = _student(tmp_path, "sigmoid.py", WRONG_SIGMOID)
    first = rendered(run_suites(COURSE, {"sigmoid": student}, seed=7)["sigmoid"], "en")
    again = rendered(run_suites(COURSE, {"sigmoid": student}, seed=7)["sigmoid"], "en")
    other = rendered(run_suites(COURSE, {"sigmoid": student}, seed=8)["sigmoid"], "en")
    assert first == again
    assert first.seed == 7 and other.seed == 8
    assert [t.feedback for t in first.tests] != [t.feedback for t in other.tests]


def test_nothing_reaches_the_terminal(tmp_path, capfd) -> None:
    source = "import numpy as np\ndef relu(x):\n    print('debug', x)\n    return np.maximum(0, x)\n"
    rendered(run_suites(COURSE, {"relu": _student(tmp_path, "relu.py", source)}, seed=0), "en")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --------------------------------------------------------------------------------------------------
# instructor errors and the isolation of the grading session
# --------------------------------------------------------------------------------------------------


def _edit_suite(root: Path, exercise_id: str, old: str, new: str) -> None:
    suite = root / "autograder" / f"test_{exercise_id}.py"
    text = suite.read_text(encoding="utf-8")
    assert old in text
    suite.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_bug_in_a_suite_is_a_grader_error_not_the_students(course_copy) -> None:
    _edit_suite(
        course_copy,
        "relu",
        'check.matches("relu", np.array([-2.0',
        '{}["boom"]\n    check.matches("relu", np.array([-2.0',
    )
    course = load_course(course_copy)
    result = rendered(run_suites(course, {"relu": _reference("relu")}, seed=0)["relu"], "en")
    errors = [t for t in result.tests if t.status == "error"]
    assert len(errors) == 1 and errors[0].score == 0
    assert "Grader error" in errors[0].feedback and "not a mistake in your code" in errors[0].feedback
    assert "KeyError" in errors[0].feedback
    assert all(t.status == "passed" for t in result.tests if t is not errors[0])
    assert result.score == result.max_score - errors[0].max_score


def test_a_failure_whose_feedback_cannot_be_built_is_a_grader_error(tmp_path, monkeypatch) -> None:
    """A broken catalogue text must not make a test vanish from the report with its points."""
    import activation_lab.grading.suites as runner

    def broken_render(*args: Any, **kwargs: Any) -> str:
        raise KeyError("stray {placeholder}")

    monkeypatch.setattr(runner, "failure_message", broken_render)
    wrong = _student(
        tmp_path,
        "relu.py",
        "import numpy as np\ndef relu(x):\n    return x\ndef relu_grad(x):\n"
        "    return (np.asarray(x) > 0) * 1.0\n",
    )
    result = rendered(run_suites(COURSE, {"relu": wrong}, seed=0)["relu"], "en")
    reference = rendered(run_suites(COURSE, {"relu": _reference("relu")}, seed=0)["relu"], "en")
    assert len(result.tests) == len(reference.tests)
    errors = [t for t in result.tests if t.status == "error"]
    assert errors and all("Grader error" in t.feedback and "KeyError" in t.feedback for t in errors)
    assert all(t.score == 0 for t in errors)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("@pytest.mark.points(2)", "@pytest.mark.points(3)", "worth 11 points", id="points-sum"),
        pytest.param('EXERCISE = "c2f"', 'EXERCISE = "c2ff"', "EXERCISE", id="no-exercise"),
        pytest.param("@pytest.mark.points(2)\n", "", "no @pytest.mark.points", id="missing-points"),
        pytest.param(
            "import pytest", "import pytest\nimport no_such_module", "does not collect", id="broken-suite"
        ),
    ],
)
def test_a_broken_suite_is_a_course_error(course_copy, old, new, message) -> None:
    _edit_suite(course_copy, "c2f", old, new)
    course = load_course(course_copy)
    with pytest.raises(CourseError, match=message):
        rendered(run_suites(course, {"c2f": _reference("c2f")}, seed=0), "en")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("def step(x):\n    return 1\n", "lacks bipolar_step", id="reference-lacks-a-function"),
        pytest.param("def step(x)\n", "does not import", id="reference-does-not-import"),
    ],
)
def test_a_broken_reference_is_a_course_error(course_copy, source, message) -> None:
    (course_copy / "solutions" / "step.py").write_text(source)
    course = load_course(course_copy)
    with pytest.raises(CourseError, match=message):
        rendered(run_suites(course, {"step": _reference("step")}, seed=0), "en")


def test_grading_ignores_conftest_and_pytest_config_of_the_course(course_copy) -> None:
    (course_copy / "autograder" / "conftest.py").write_text("raise RuntimeError('conftest must not load')\n")
    (course_copy / "conftest.py").write_text("raise RuntimeError('conftest must not load')\n")
    (course_copy / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "--no-such-option -x"\n'
    )
    (course_copy / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    course = load_course(course_copy)
    result = rendered(run_suites(course, {"step": _reference("step")}, seed=0)["step"], "en")
    assert result.score == result.max_score


def test_unknown_exercise_is_a_course_error() -> None:
    with pytest.raises(CourseError, match="perceptron"):
        rendered(run_suites(COURSE, {"perceptron": _reference("relu")}, seed=0), "en")


def test_no_students_means_no_session() -> None:
    assert rendered(run_suites(COURSE, {}, seed=0), "en") == {}


LEAKY_SUITE = """
import numpy as np
import pytest

EXERCISE = "leaky"


@pytest.mark.points(3)
@pytest.mark.public
@pytest.mark.title(en="leaky_relu on an array", ko="배열에서 leaky_relu")
def test_array(check):
    check.matches("leaky_relu", np.array([-2.0, 0.0, 3.0]))


@pytest.mark.points(2)
@pytest.mark.title(en="leaky_relu on random inputs", ko="무작위 입력에서 leaky_relu")
def test_random(check, rng):
    check.matches("leaky_relu", rng.uniform(-100, 100, size=20))
"""


def test_a_sixth_exercise_needs_only_content_files(course_copy, tmp_path) -> None:
    manifest = course_copy / "autograder" / "manifest.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        + '\n[[exercise]]\nid = "leaky"\nfile = "leaky.py"\nfunctions = ["leaky_relu"]\n'
        + 'max_score = 5\nsuite = "autograder/test_leaky.py"\n',
        encoding="utf-8",
    )
    (course_copy / "autograder" / "test_leaky.py").write_text(LEAKY_SUITE, encoding="utf-8")
    solution = (
        "import numpy as np\n\ndef leaky_relu(x):\n"
        "    return np.where(np.asarray(x) > 0, x, 0.01 * np.asarray(x))[()]\n"
    )
    (course_copy / "solutions" / "leaky.py").write_text(solution, encoding="utf-8")
    course = load_course(course_copy)
    right = InProcessStudent(course_copy / "solutions" / "leaky.py")
    wrong = _student(
        tmp_path, "leaky.py", "import numpy as np\ndef leaky_relu(x):\n    return np.maximum(0, x)\n"
    )
    assert rendered(run_suites(course, {"leaky": right}, seed=0)["leaky"], "en").score == 5
    result = rendered(run_suites(course, {"leaky": wrong}, seed=0)["leaky"], "ko")
    assert result.score == 0 and result.max_score == 5
    assert [t.name for t in result.tests] == ["배열에서 leaky_relu", "무작위 입력에서 leaky_relu"]
