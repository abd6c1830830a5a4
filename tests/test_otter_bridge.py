"""The otter bridge: `activation-lab otter generate` builds a real autograder.zip; `otter run` with it scores
a submission exactly as our own engine does, also when the script attacks otter's in-kernel tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from activation_lab.course import load_course
from activation_lab.grading.grade import grade_path, make_context
from activation_lab.integrations.otter.generate import (
    COURSE_DIRNAME,
    OtterExercise,
    OtterTest,
    generate_assignment,
    render_test_file,
)
from activation_lab.integrations.otter.kernel import (
    BridgeFailure,
    cached_report,
    find_submission,
    grade_command,
    grading_env,
    verdict_for,
)
from activation_lab.reports.report import report_to_json

REPO = Path(__file__).resolve().parents[1]
LANG = "en"
SEED = 0

HOSTILE_SIGMOID = '''\
"""Attacks otter's usual design: the tests would run in this namespace, after this code."""
import numpy as np

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None


class AlwaysEqual(float):
    shape = ()
    dtype = np.dtype(float)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


def sigmoid(x):
    return AlwaysEqual(0.0)


def sigmoid_grad(x):
    return AlwaysEqual(0.0)
'''


# ------------------------------------------------------------------------------------------------------
# Fast checks of the pieces that run inside otter's kernel
# ------------------------------------------------------------------------------------------------------

REPORT = {
    "status": "graded",
    "exercises": [
        {
            "id": "step",
            "status": "graded",
            "attempted": True,
            "notes": [],
            "tests": [
                {"name": "ok", "score": 1.0, "max_score": 1.0, "status": "passed", "feedback": ""},
                {"name": "bad", "score": 0.0, "max_score": 2.0, "status": "failed", "feedback": "x > 0 at 0"},
                {
                    "name": "advice",
                    "score": 0.0,
                    "max_score": 0.0,
                    "status": "passed",
                    "feedback": "overflow",
                },
            ],
        },
        {
            "id": "relu",
            "status": "missing",
            "attempted": False,
            "notes": ["relu.py was not submitted"],
            "tests": [],
        },
        {
            "id": "tanh",
            "status": "graded",
            "attempted": False,
            "notes": ["tanh.py is the unchanged stub"],
            "tests": [{"name": "ok", "score": 1.0, "max_score": 1.0, "status": "passed", "feedback": ""}],
        },
    ],
}


@pytest.mark.parametrize(
    ("report", "exercise", "test", "expected"),
    [
        pytest.param(REPORT, "step", "ok", None, id="passed"),
        pytest.param(REPORT, "step", "advice", None, id="advice-only-passes"),
        pytest.param(REPORT, "step", "bad", "x > 0 at 0", id="failed-shows-our-feedback"),
        pytest.param(REPORT, "relu", "ok", "relu.py was not submitted", id="missing-exercise"),
        pytest.param(REPORT, "tanh", "ok", "tanh.py is the unchanged stub", id="stub-scores-zero"),
        pytest.param(REPORT, "step", "renamed", "status 'graded'", id="unknown-test"),
        pytest.param(REPORT, "sigmoid", "ok", "no exercise sigmoid", id="unknown-exercise"),
        pytest.param(
            {"status": "error", "error": "bad zip"}, "step", "ok", "bad zip", id="unreadable-submission"
        ),
    ],
)
def test_verdict_for(report: dict, exercise: str, test: str, expected: str | None) -> None:
    verdict = verdict_for(report, exercise, test, LANG)
    if expected is None:
        assert verdict is None
    else:
        assert verdict is not None and expected in verdict


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(["sigmoid.py", "__init__.py"], "sigmoid.py", id="one-script"),
        pytest.param(["lab.ipynb", "__init__.py", "helper.py"], "lab.ipynb", id="notebook-first"),
        pytest.param(["sigmoid.py", "planted.py"], None, id="two-scripts"),
        pytest.param(["__init__.py"], None, id="nothing"),
    ],
)
def test_find_submission(tmp_path: Path, files: list[str], expected: str | None) -> None:
    for name in files:
        (tmp_path / name).write_text("", encoding="utf-8")
    if expected is None:
        with pytest.raises(BridgeFailure):
            find_submission(tmp_path)
    else:
        assert find_submission(tmp_path).name == expected


def test_grading_interpreter_is_isolated_and_its_environment_scrubbed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRADESCOPE_TOKEN", "secret")
    monkeypatch.setenv("PYTHONPATH", "/tmp/evil")
    env = grading_env("ko")
    assert set(env) == {"PATH", "LANG", "LC_ALL", "PYTHONIOENCODING", "ACTIVATION_LAB_LANG"}
    assert env["ACTIVATION_LAB_LANG"] == "ko"
    command = grade_command(Path("s.py"), Path("course"), lang="ko", seed=3)
    assert command[1:4] == ["-I", "-m", "activation_lab"]
    assert command[command.index("--seed") + 1] == "3"


def test_render_test_file_is_read_by_otter_with_our_names_points_and_hidden_flags(tmp_path: Path) -> None:
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    tests = (
        OtterTest("it's σ(0)", 1.0, False),
        OtterTest('a "quoted" name', 2.5, True),
        OtterTest("z", 0.0, True),
    )
    path = tmp_path / "sigmoid.py"
    path.write_text(render_test_file(OtterExercise("sigmoid", "sigmoid.py", 3.5, tests), lang="ko", seed=1))
    parsed = create_test_file(str(path), NBMetadataConfig())
    assert parsed.name == "sigmoid"
    assert [(c.name, c.points, c.hidden) for c in parsed.test_cases] == [
        (t.name, t.points, t.hidden) for t in tests
    ]


def test_the_report_is_graded_once_per_run_and_cached_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import activation_lab.integrations.otter.kernel as runtime

    shutil.copytree(REPO / "autograder", tmp_path / COURSE_DIRNAME / "autograder")
    shutil.copytree(REPO / "solutions", tmp_path / COURSE_DIRNAME / "solutions")
    shutil.copyfile(REPO / "solutions" / "relu.py", tmp_path / "relu.py")
    calls = []
    real_grade = runtime._grade

    def counting_grade(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real_grade(*args, **kwargs)

    monkeypatch.setattr(runtime, "_grade", counting_grade)
    first = cached_report(tmp_path, COURSE_DIRNAME, lang=LANG, seed=SEED)
    second = cached_report(tmp_path, COURSE_DIRNAME, lang=LANG, seed=SEED)
    assert len(calls) == 1 and first == second
    relu = next(e for e in first["exercises"] if e["id"] == "relu")
    assert relu["score"] == relu["max_score"] == 10
    (tmp_path / "relu.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    changed = cached_report(tmp_path, COURSE_DIRNAME, lang=LANG, seed=SEED)
    assert len(calls) == 2
    assert next(e for e in changed["exercises"] if e["id"] == "relu")["score"] < 10


# ------------------------------------------------------------------------------------------------------
# The real thing: otter generate and otter run
# ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assignment(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return generate_assignment(
        load_course(), tmp_path_factory.mktemp("otter") / "assignment", lang=LANG, seed=SEED
    )


@pytest.fixture(scope="module")
def context():  # type: ignore[no-untyped-def]
    return make_context(seed=SEED)


def _our_report(path: Path, context) -> dict:  # type: ignore[no-untyped-def]
    return dict(report_to_json(grade_path(path, context), LANG))


@pytest.mark.slow
def test_autograder_zip_holds_our_tests_the_wheel_and_the_course(assignment, context) -> None:  # type: ignore[no-untyped-def]
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    with zipfile.ZipFile(assignment.autograder_zip) as archive:
        names = set(archive.namelist())
        environment = archive.read("environment.yml").decode()
        config = json.loads(archive.read("otter_config.json"))
    course = context.course
    assert {f"tests/{spec.id}.py" for spec in course.exercises} <= names
    assert f"files/{assignment.wheel.name}" in names
    for spec in course.exercises:
        assert f"files/{COURSE_DIRNAME}/{spec.suite}" in names
        assert f"files/{COURSE_DIRNAME}/solutions/{spec.file}" in names
    assert f"files/{COURSE_DIRNAME}/autograder/manifest.toml" in names
    assert any(name.startswith(f"files/{COURSE_DIRNAME}/quizzes/") for name in names)
    assert {"run_autograder", "setup.sh", "environment.yml"} <= names
    assert f"/autograder/source/files/{assignment.wheel.name}" in environment
    assert config["lang"] == "python"
    (plugin,) = config["plugins"]
    plugin_tests = plugin["activation_lab.integrations.otter.plugin.ActivationLabPlugin"]["exercises"]
    # one test file per exercise, and one for the quiz (a test case per item) since the course counts it
    assert [e["id"] for e in plugin_tests] == [*(spec.id for spec in course.exercises), "quiz"]
    with zipfile.ZipFile(assignment.wheel) as wheel:
        assert "activation_lab/sandbox/worker.py" in wheel.namelist()
        assert "activation_lab/integrations/otter/kernel.py" in wheel.namelist()
    # otter's own parser reads one test case per test of our suites, with our points and hidden flags.
    solutions = _our_report(REPO / "solutions", context)
    for exercise in solutions["exercises"]:
        parsed = create_test_file(
            str(assignment.folder / "tests" / f"{exercise['id']}.py"), NBMetadataConfig()
        )
        assert [(c.name, c.points, c.hidden) for c in parsed.test_cases] == [
            (t["name"], t["max_score"], t["hidden"]) for t in exercise["tests"]
        ]
        assert sum(c.points for c in parsed.test_cases) == exercise["max_score"]
        in_config = next(e for e in plugin_tests if e["id"] == exercise["id"])["tests"]
        assert in_config == [[c.name, c.points, c.hidden] for c in parsed.test_cases]


def _otter_run(autograder: Path, submission: Path, out: Path) -> dict:
    out.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "otter",
            "run",
            "-a",
            str(autograder),
            str(submission),
            "-o",
            str(out),
            "--no-logo",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if not (out / "results.json").is_file():  # pytest.fail, not assert: the xfail below expects an assertion
        hint = (
            " (install otter-grader[grading]: it brings ipykernel)" if "NoSuchKernel" in done.stderr else ""
        )
        pytest.fail(f"otter run wrote no results.json{hint}:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


SUBMISSIONS = [
    pytest.param(lambda: (REPO / "solutions" / "tanh.py").read_text(), "tanh.py", "full", id="correct"),
    pytest.param(
        lambda: (REPO / "tests/corpus/wrong/step/slide_method1.py").read_text(),
        "step.py",
        "partial",
        id="wrong-slide-step",
    ),
    # Faked equality and a patched np.allclose in otter's kernel never reach our grader.
    pytest.param(lambda: HOSTILE_SIGMOID, "sigmoid.py", "not-full", id="hostile-allclose-always-equal"),
    # Attacks on the bridge itself from otter's kernel: the plugin graded before the script ran and rewrites
    # otter's results from that report in otter's own process.
    pytest.param(lambda: SELF_REPLACING_SIGMOID, "sigmoid.py", "not-full", id="hostile-rewrites-itself"),
    pytest.param(lambda: OTTER_PATCHING_SIGMOID, "sigmoid.py", "not-full", id="hostile-patches-otter"),
    # ... and patches pickle.dump so that otter's own process would unpickle code unplugging the plugin.
    pytest.param(lambda: PICKLE_SMUGGLING_SIGMOID, "sigmoid.py", "not-full", id="hostile-smuggles-a-pickle"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("source", "name", "expected"), SUBMISSIONS)
def test_otter_run_scores_equal_our_engine(
    assignment, context, tmp_path: Path, source, name: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    submission = _write(tmp_path / "submission", name, source())
    ours = _our_report(submission, context)
    results = _otter_run(assignment.autograder_zip, submission, tmp_path / "otter-out")
    otter_scores = {t["name"]: t["score"] for t in results["tests"] if "max_score" in t}
    # a single file has no answers.yaml: the quiz test file scores 0 of its points
    assert otter_scores == {**{e["id"]: e["score"] for e in ours["exercises"]}, "quiz": 0.0}
    assert sum(otter_scores.values()) == ours["score"]
    exercise = next(e for e in ours["exercises"] if e["id"] == name[:-3])
    if expected == "full":
        assert exercise["score"] == exercise["max_score"]
    elif expected == "partial":
        assert 0 < exercise["score"] < exercise["max_score"]
    else:
        assert exercise["score"] < exercise["max_score"]
    # Our feedback (its first line) is what otter shows for a failed visible test.
    output = next(t["output"] for t in results["tests"] if t["name"] == exercise["id"])
    for test in exercise["tests"]:
        if test["status"] != "passed" and not test["hidden"]:
            assert test["feedback"].splitlines()[0] in output


SELF_REPLACING_SIGMOID = '''\
"""Attacks the bridge itself: runs before the tests in otter's kernel and swaps its file for the reference."""
import pathlib
import shutil

here = pathlib.Path.cwd()
reference = here / "activation_lab_course" / "solutions" / "sigmoid.py"
if reference.is_file():
    shutil.copyfile(reference, here / "sigmoid.py")


def sigmoid(x):
    return 0


def sigmoid_grad(x):
    return 0
'''


@pytest.mark.slow
def test_otter_run_on_a_notebook_defining_every_exercise(assignment, context, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notebook = tmp_path / "submission" / "lab.ipynb"
    notebook.parent.mkdir()
    shutil.copyfile(REPO / "examples" / "submissions" / "student12.ipynb", notebook)
    ours = _our_report(notebook, context)
    results = _otter_run(assignment.autograder_zip, notebook, tmp_path / "otter-out")
    otter_scores = {t["name"]: t["score"] for t in results["tests"] if "max_score" in t}
    # a single file has no answers.yaml: the quiz test file scores 0 of its points
    assert otter_scores == {**{e["id"]: e["score"] for e in ours["exercises"]}, "quiz": 0.0}
    # the demo notebook defines functions of every exercise (two of the five figures), so each is graded
    graded = {e["id"] for e in ours["exercises"] if e["status"] == "graded"}
    assert graded == {e["id"] for e in ours["exercises"]}


@pytest.mark.slow
def test_cli_generates_one_exercise_with_a_given_wheel(assignment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from activation_lab.cli.main import main

    out = tmp_path / "step-only"
    code = main(
        ["otter", "generate", "--out", str(out), "--exercise", "step", "--wheel", str(assignment.wheel)]
    )
    assert code == 0
    with zipfile.ZipFile(out / "autograder.zip") as archive:
        tests = sorted(n for n in archive.namelist() if n.startswith("tests/"))
    assert tests == ["tests/step.py"]


@pytest.mark.parametrize(
    ("extra", "make_out"),
    [
        pytest.param(["--exercise", "softmax"], False, id="unknown-exercise"),
        pytest.param([], True, id="out-not-empty"),
        pytest.param(["--wheel", "no-such.whl"], False, id="not-a-wheel"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, extra: list[str], make_out: bool) -> None:
    from activation_lab.cli.main import main

    out = tmp_path / "assignment"
    if make_out:
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["otter", "generate", "--out", str(out), *extra]) == 2
    assert not (out / "autograder.zip").exists()


OTTER_PATCHING_SIGMOID = '''\
"""Attacks otter in its kernel: every test file it loads afterwards passes whatever it checks."""
import otter.test_files.abstract_test as abstract_test
import otter.test_files.exception_test as exception_test


def _always_pass(self, global_environment):
    self.test_case_results = [
        abstract_test.TestCaseResult(test_case=case, message="ok", passed=True) for case in self.test_cases
    ]


exception_test.ExceptionTestFile.run = _always_pass


def sigmoid(x):
    return 0


def sigmoid_grad(x):
    return 0
'''

PICKLE_SMUGGLING_SIGMOID = (
    OTTER_PATCHING_SIGMOID
    + '''

import pickle

from otter.test_files import GradingResults


class _Unplug:
    """Unpickled in otter's own process: disables activation-lab's plugin there."""

    def __reduce__(self):
        code = (
            "import activation_lab.integrations.otter.plugin as p; "
            "p.ActivationLabPlugin.after_grading = lambda *args: None"
        )
        return (exec, (code,))


_real_dump = pickle.dump


def _dump(obj, file, *args, **kwargs):
    if isinstance(obj, GradingResults):
        obj._plugin_data["x"] = _Unplug()
    return _real_dump(obj, file, *args, **kwargs)


pickle.dump = _dump
'''
)


def test_plugin_rewrites_otters_results_from_our_report() -> None:
    from otter.test_files import GradingResults

    from activation_lab.integrations.otter.plugin import ActivationLabPlugin

    config = {
        "lang": LANG,
        "exercises": [
            {"id": "step", "tests": [["ok", 1.0, False], ["bad", 2.0, True], ["advice", 0.0, True]]},
            {"id": "relu", "tests": [["ok", 3.0, False]]},
        ],
    }
    plugin = ActivationLabPlugin("/nowhere/step.py", {}, config)
    plugin.report = REPORT
    forged = GradingResults.without_results(RuntimeError("the kernel died"))
    plugin.after_grading(forged)
    assert forged.catastrophic_error is None
    assert {name: forged.get_score(name) for name in forged.test_files} == {"step": 1.0, "relu": 0.0}
    assert forged.possible == 6.0
    assert "x > 0 at 0" in forged.get_result("step").summary()


def test_plugin_without_a_report_fails_every_case_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import otter.execute
    import otter.execute.logging
    from otter.test_files import GradingResults

    from activation_lab.integrations.otter.plugin import ActivationLabPlugin

    (tmp_path / "step.py").write_text("", encoding="utf-8")
    config = {
        "lang": "ko",
        "course_dirname": COURSE_DIRNAME,
        "exercises": [{"id": "step", "tests": [["ok", 1.0, False]]}],
    }
    handler = otter.execute.logging.LogRecordStreamHandler
    monkeypatch.setattr(otter.execute, "pickle", otter.execute.pickle)  # before_grading patches otter
    monkeypatch.setattr(handler, "unpickle", handler.unpickle)
    plugin = ActivationLabPlugin(str(tmp_path / "step.py"), {}, config)
    plugin.before_grading(None)  # no course folder was shipped beside the submission
    results = GradingResults([])
    plugin.after_grading(results)
    assert results.total == 0 and results.possible == 1.0
    assert COURSE_DIRNAME in results.get_result("step").summary()


def test_otters_process_unpickles_nothing_from_the_kernel_once_the_plugin_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle

    import otter.execute
    import otter.execute.logging
    from otter.test_files import GradingResults

    from activation_lab.integrations.otter.plugin import close_pickle_routes

    handler = otter.execute.logging.LogRecordStreamHandler
    monkeypatch.setattr(otter.execute, "pickle", otter.execute.pickle)  # restored after the test
    monkeypatch.setattr(handler, "unpickle", handler.unpickle)
    close_pickle_routes()
    loaded = otter.execute.pickle.load(None)
    assert isinstance(loaded, GradingResults) and loaded.test_files == []
    ran = []

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (ran.append, ("code ran",))

    record = handler.unpickle(None, pickle.dumps({"msg": "hi", "payload": Payload()}))
    assert ran == [] and "dropped" in record["msg"]
    assert handler.unpickle(None, pickle.dumps({"msg": "plain", "levelno": 20})) == {
        "msg": "plain",
        "levelno": 20,
    }
