"""Suites collected once per process and their tests called directly: the same outcomes as a pytest session.

``run_suites`` calls the collected tests itself when they need only the runner's fixtures and direct
``parametrize`` arguments; anything else (a fixture of the suite, ``request``, ``usefixtures``, an indirect
parameter) is graded in a full pytest session. Both must give identical results; these tests compare them
on the whole corpus and on suites that use more of pytest.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rendered import rendered
from test_corpus import needed_file

import activation_lab.grading.suites as runner
from activation_lab.course import load_course
from activation_lab.errors import CourseError
from activation_lab.grading import timing
from activation_lab.grading.collect import collect_suite
from activation_lab.grading.student import InProcessStudent
from activation_lab.grading.suites import run_suites

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
COURSE = load_course(REPO)
EXERCISES = ("c2f", "sigmoid", "step", "tanh", "relu")


@pytest.fixture(autouse=True)
def _profile_off_afterwards():
    """Tests that turn the timing hook on leave it off for the next ones."""
    yield
    timing.reset()


@pytest.fixture
def course_copy(tmp_path):
    """A writable copy of the course content (manifest, suites, references)."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "autograder", root / "autograder")
    shutil.copytree(REPO / "solutions", root / "solutions")
    return root


def _in_session(monkeypatch, course, students, lang="en", seed=0):
    """``run_suites`` forced through a pytest session, as for a suite that needs more than the fixtures."""
    with monkeypatch.context() as patch:
        patch.setattr(runner, "_direct_collections", lambda paths, root: None)
        return run_suites(course, students, lang=lang, seed=seed)


def _corpus_student(entry: Path, exercise: str, folder: Path) -> InProcessStudent:
    folder.mkdir(parents=True)
    needs = [
        line.split(":", 1)[1].strip()
        for line in entry.read_text().splitlines()
        if line.startswith("# needs:")
    ]
    for needed in needs:
        name, source = needed_file(needed)  # the corpus's own rule for "# needs:" lines
        shutil.copyfile(source, folder / name)
    shutil.copyfile(entry, folder / f"{exercise}.py")
    return InProcessStudent(folder / f"{exercise}.py")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_corpus_file_gets_the_same_result_as_in_a_pytest_session(exercise, tmp_path, monkeypatch):
    files = sorted((CORPUS / "wrong" / exercise).glob("*.py")) + sorted(
        (CORPUS / "right" / exercise).glob("*.py")
    )
    files.append(REPO / "solutions" / f"{exercise}.py")
    assert len(files) > 5
    for index, entry in enumerate(files):
        lang = ("en", "ko")[index % 2]
        student = _corpus_student(entry, exercise, tmp_path / f"s{index}")
        direct = run_suites(COURSE, {exercise: student}, lang=lang, seed=index)
        session = _in_session(monkeypatch, COURSE, {exercise: student}, lang=lang, seed=index)
        assert direct == session, entry.name


def test_the_course_suites_run_without_a_pytest_session():
    for spec in COURSE.exercises:
        collection = collect_suite(COURSE.root / spec.suite, COURSE.root)
        assert collection.errors == ()
        assert collection.tests and all(test.direct for test in collection.tests), spec.suite


def test_the_direct_runner_makes_every_fixture_of_the_grading_plugin():
    """A fixture added to (or removed from) the plugin must be added to (or removed from) the direct path."""
    from _pytest.fixtures import FixtureFunctionDefinition

    from activation_lab.grading.collect import RUNNER_FIXTURES

    plugin_fixtures = {
        name
        for name in dir(runner._GradingPlugin)
        if isinstance(getattr(runner._GradingPlugin, name), FixtureFunctionDefinition)
    }
    spec = COURSE.exercises[0]
    exercise = runner._Exercise(spec=spec, student=runner._TrackedStudent(None))
    plugin = runner._GradingPlugin(COURSE, {spec.id: exercise}, 0)
    test = collect_suite(COURSE.root / spec.suite, COURSE.root).tests[0]
    assert plugin_fixtures == set(plugin.fixture_makers(test, exercise)) == RUNNER_FIXTURES


def _append_to_suite(root: Path, exercise: str, text: str) -> None:
    suite = root / "autograder" / f"test_{exercise}.py"
    suite.write_text(suite.read_text(encoding="utf-8") + text, encoding="utf-8")


def _add_points(root: Path, exercise: str, points: int) -> None:
    manifest = root / "autograder" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    block_start = text.index(f'id = "{exercise}"')
    at = text.index("max_score = ", block_start)
    end = text.index("\n", at)
    old = float(text[at + len("max_score = ") : end])
    manifest.write_text(text[:at] + f"max_score = {old + points:g}" + text[end:], encoding="utf-8")


OWN_FIXTURE = """

@pytest.fixture
def lecture_inputs():
    return [np.array([-1.0, 0.0, 2.0]), np.array([[0.5, -0.5]])]


@pytest.mark.points(2)
@pytest.mark.title(en="relu on the suite's own inputs", ko="스위트 입력에서 relu")
def test_relu_own_inputs(check, lecture_inputs):
    print("a suite that prints")
    for x in lecture_inputs:
        check.matches("relu", x)
"""

PARAMETRIZED = """

@pytest.mark.points(1)
@pytest.mark.title(en="relu of one value", ko="값 하나의 relu")
@pytest.mark.parametrize("x", [pytest.param(-3.0, id="negative"), pytest.param(4.0, id="positive")])
def test_relu_each(check, x):
    check.matches("relu", x)
"""


@pytest.mark.parametrize(
    ("addition", "points", "direct"),
    [
        pytest.param(OWN_FIXTURE, 2, False, id="own-fixture"),
        pytest.param(PARAMETRIZED, 2, True, id="direct-parametrize"),
        pytest.param(
            PARAMETRIZED.replace(
                '@pytest.mark.parametrize("x"',
                '@pytest.mark.usefixtures("rng")\n@pytest.mark.parametrize("x"',
            ),
            2,
            True,
            id="usefixtures-of-a-runner-fixture",
        ),
        pytest.param(
            "\n\nclass TestRelu:\n    calls = []\n"
            + PARAMETRIZED.replace("\n@", "\n    @")
            .replace("\ndef test_relu_each(check, x):", "\n    def test_relu_each(self, check, x):")
            .replace("\n    check.matches", "\n        self.calls.append(x)\n        check.matches"),
            2,
            False,
            id="test-class",
        ),
        pytest.param(
            PARAMETRIZED.replace("def test_relu_each(check, x):", "def test_relu_each(check, x, request):"),
            2,
            False,
            id="request",
        ),
    ],
)
def test_suites_using_more_of_pytest_grade_as_in_a_session(
    course_copy, tmp_path, monkeypatch, capfd, addition, points, direct
):
    _append_to_suite(course_copy, "relu", addition)
    _add_points(course_copy, "relu", points)
    course = load_course(course_copy)
    added = [
        t
        for t in collect_suite(course_copy / "autograder" / "test_relu.py", course_copy).tests
        if t.name.startswith(("test_relu_each", "test_relu_own_inputs"))
    ]
    assert added and all(test.direct is direct for test in added)
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "relu.py").write_text(
        "import numpy as np\ndef relu(x):\n    return np.abs(x)\ndef relu_grad(x):\n"
        "    return (np.asarray(x) > 0) * 1.0\n",
        encoding="utf-8",
    )
    for student in (
        InProcessStudent(course_copy / "solutions" / "relu.py"),
        InProcessStudent(wrong / "relu.py"),
    ):
        graded = run_suites(course, {"relu": student}, lang="ko", seed=3)
        assert graded == _in_session(monkeypatch, course, {"relu": student}, lang="ko", seed=3)
        titles = [test.name for test in rendered(graded["relu"], "ko").tests]
        assert any("스위트 입력" in t or "[negative]" in t for t in titles)
    assert graded["relu"].score < graded["relu"].max_score  # the wrong file lost points in the added tests
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_suite_changed_between_runs_is_collected_again(course_copy):
    course = load_course(course_copy)
    reference = InProcessStudent(course_copy / "solutions" / "c2f.py")
    assert run_suites(course, {"c2f": reference}, lang="en", seed=0)["c2f"].score == 10
    suite = course_copy / "autograder" / "test_c2f.py"
    suite.write_text(
        suite.read_text(encoding="utf-8").replace("@pytest.mark.points(2)", "@pytest.mark.points(3)", 1)
    )
    stat = suite.stat()
    os.utime(suite, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a new mtime even on coarse clocks
    with pytest.raises(CourseError, match="worth 11 points"):
        run_suites(course, {"c2f": reference}, lang="en", seed=0)


def test_a_suite_that_does_not_collect_is_a_course_error_every_time(course_copy):
    _append_to_suite(course_copy, "step", "\nimport no_such_module_anywhere\n")
    course = load_course(course_copy)
    reference = InProcessStudent(course_copy / "solutions" / "step.py")
    for _ in range(2):  # the cached collection keeps the error
        with pytest.raises(CourseError, match="does not collect"):
            run_suites(course, {"step": reference}, lang="en", seed=0)


# --------------------------------------------------------------------------------------------------
# the opt-in timing hook
# --------------------------------------------------------------------------------------------------


class _Clock:
    """A clock that advances one second per reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_the_profile_counts_nested_phases_once(tmp_path, monkeypatch):
    monkeypatch.setenv(timing.ENV, str(tmp_path))
    timing.reset()
    monkeypatch.setattr(timing.time, "perf_counter", _Clock())
    with timing.phase("outer"):  # reads 1; inner reads 2 and 3; outer ends at 4
        with timing.phase("inner"):
            timing.count("round_trips", 2)
    timing.flush("one")
    import json

    (line,) = (tmp_path / f"profile-{os.getpid()}.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["label"] == "one"
    assert record["seconds"] == {"inner": 1.0, "outer": 2.0}
    assert record["counts"] == {"round_trips": 2}


def test_no_profile_unless_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(timing.ENV, raising=False)
    timing.reset()
    assert not timing.enabled()
    with timing.phase("anything"):
        timing.count("round_trips")
    timing.flush("nothing")
    monkeypatch.setenv(timing.ENV, str(tmp_path))
    timing.reset()
    timing.flush("still nothing")  # nothing was recorded while it was off
    assert list(tmp_path.iterdir()) == []


def test_a_profiled_batch_writes_one_line_per_submission(tmp_path, monkeypatch):
    from activation_lab.grading import make_context
    from activation_lab.grading.batch import grade_batch

    monkeypatch.setenv(timing.ENV, str(tmp_path / "profile"))
    timing.reset()
    (tmp_path / "profile").mkdir()
    klass = tmp_path / "class"
    for name in ("ana", "bo"):
        (klass / name).mkdir(parents=True)
        shutil.copyfile(REPO / "solutions" / "relu.py", klass / name / "relu.py")
    result = grade_batch([klass], make_context(REPO), jobs=1, lang="en")
    assert [r["status"] for r in result.reports] == ["graded", "graded"]
    import json

    records = [
        json.loads(line)
        for path in (tmp_path / "profile").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    labels = sorted(record["label"] for record in records)
    assert labels == ["ana", "batch parent", "bo"]
    for record in records:
        if record["label"] != "batch parent":
            assert record["counts"]["round_trips"] > 0 and record["counts"]["tests"] == 10
            assert {"student_calls", "checks", "sandbox.worker_start"} <= set(record["seconds"])
