"""Every submission of the demo class loads as its README says, and the committed zip matches its script."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from activation_lab.course import load_course
from activation_lab.i18n import Message
from activation_lab.submissions.load import load_submission

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "submissions"
FIVE = {"c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py"}
SIX = FIVE | {"plots.py"}  # with the plot exercise

# name -> (form, files, note keys, has answers.yaml)
EXPECTED = {
    "student01": ("directory", SIX, (), True),
    "student02": ("directory", FIVE, (), True),
    "student03": ("directory", SIX, (), True),
    "student04": ("directory", SIX, (), False),
    "student05": ("directory", SIX, (), True),
    "student06": ("directory", SIX, (), False),
    "student07.zip": ("zip", SIX, ("note.guarded_ignored",), True),
    "student08": ("directory", SIX, (), True),
    "student09": ("directory", SIX, (), False),
    "student10": ("directory", SIX, (), True),
    "student11": ("directory", {"sigmoid.py", "step.py"}, (), True),
    "student12.ipynb": (
        "notebook",
        SIX,
        ("note.notebook_magics", "note.notebook_shell", "note.notebook_dropped", "note.notebook_used"),
        False,
    ),
    "student13": ("directory", SIX, (), False),
    "student14": ("directory", SIX, (), True),
    "student15": ("directory", SIX, ("note.decoded",), True),
    "student16": ("directory", SIX, ("note.renamed",) * 3, False),
    "student17": ("directory", SIX, (), True),
    "student18": ("directory", SIX, (), False),
    "student19": ("directory", SIX, (), False),
}


# plots.py as examples/submissions/README.md tells it: the score out of 10, and the figure feedback keys
# (messages/plots.toml) and misconception hints of its failed tests; None: no plots.py (status missing)
PLOTS: dict[str, tuple[float, set[str]] | None] = {
    "student01": (10, set()),
    "student02": None,
    "student03": (8, {"figure.curve_count", "figure.legend"}),
    "student04": (0, {"figure.not_a_figure"}),
    "student05": (8, {"math_on_array"}),
    "student06": (8, {"figure.y_values"}),
    "student07.zip": (9, {"figure.y_values"}),
    "student08": (8, {"figure.y_values", "figure.no_legend"}),
    "student09": (9, {"figure.x_values"}),
    "student10": (10, set()),
    "student11": None,
    "student12.ipynb": (3, {"figure.curve_count", "missing_function"}),
    "student13": (0, {"not_attempted"}),
    "student14": (5, {"figure.curve_count", "figure.legend"}),
    "student15": (10, set()),
    "student16": (10, set()),
    "student17": (7, {"figure.y_values", "builtin_max_on_array"}),
    "student18": (10, set()),
    "student19": (7, {"figure.y_values", "figure.ylabel"}),
}


def _plot_keys(message: Message | None) -> set[str]:
    """The plots.toml keys in a feedback message, joined messages included (not the rule every one states)."""
    if message is None:
        return set()
    keys = {message.key} if message.domain == "plots" and message.key != "figure.rule" else set()
    for value in message.params.values():
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, Message):
                keys |= _plot_keys(part)
    return keys


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT)


def test_the_demo_class_is_what_the_table_lists() -> None:
    entries = {p.name for p in DEMO.iterdir() if not p.name.startswith(".") and p.name != "README.md"}
    assert entries == set(EXPECTED)
    assert 16 <= len(entries) <= 20


@pytest.mark.parametrize("entry", sorted(EXPECTED))
def test_every_demo_submission_loads(course, entry) -> None:
    form, files, notes, has_answers = EXPECTED[entry]
    submission = load_submission(DEMO / entry, course)
    assert (submission.status, submission.form) == ("graded", form)
    assert set(submission.files) == files
    assert submission.note_keys == notes
    assert (submission.answers is not None) == has_answers
    assert submission.name == entry.split(".")[0]


def test_the_plot_table_of_the_readme_is_what_grading_gives() -> None:
    assert set(PLOTS) == set(EXPECTED)
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    for entry, expected in PLOTS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{entry}"))
        plots_cell = row.split(" | ")[3]
        if expected is None:
            assert "`missing`" in plots_cell, entry
        else:
            assert plots_cell.endswith(f"({expected[0]:g})"), entry
            assert all(f"`{key}`" in plots_cell for key in expected[1]), entry


@pytest.mark.slow
@pytest.mark.parametrize("entry", sorted(PLOTS))
def test_every_demo_plots_file_grades_as_the_readme_says(grading_context, entry) -> None:
    from activation_lab.grading.grade import grade_path

    report = grade_path(DEMO / entry, grading_context)
    plots = next(exercise for exercise in report.exercises if exercise.id == "plots")
    expected = PLOTS[entry]
    if expected is None:
        assert (plots.status, plots.score) == ("missing", 0)
        return
    score, keys = expected
    failed = [test for test in plots.tests if test.status != "passed"]
    found = set().union(*(_plot_keys(test.feedback) | set(test.hints) for test in failed))
    assert (plots.status, plots.score, found) == ("graded", score, keys)


def test_answers_use_real_quiz_item_ids(course) -> None:
    yaml = YAML(typ="safe")
    item_ids = {
        item["id"] for quiz in sorted((ROOT / "quizzes").glob("*.yaml")) for item in yaml.load(quiz)["items"]
    }
    with_answers = [e for e, expected in EXPECTED.items() if expected[3]]
    assert len(with_answers) >= len(EXPECTED) // 2
    for entry in with_answers:
        answers = yaml.load(load_submission(DEMO / entry, course).answers)
        assert set(answers) <= item_ids, f"{entry}: unknown ids {sorted(set(answers) - item_ids)}"


def test_the_notebook_module_defines_its_functions_without_plotting(course) -> None:
    import matplotlib

    matplotlib.use("Agg")  # the sandbox's backend: no display
    import matplotlib.pyplot as plt

    submission = load_submission(DEMO / "student12.ipynb", course)
    code = submission.files["sigmoid.py"]
    assert submission.files["plots.py"] == code  # one filtered module for every exercise it defines
    plt.close("all")
    namespace: dict = {}
    exec(compile(code, "student12.py", "exec"), namespace)  # our own demo content, no plotting left in it
    try:
        # every function of the five code exercises, and the two figures the student wrote
        functions = {f for spec in course.exercises if spec.id != "plots" for f in spec.functions}
        assert functions | {"plot_c2f", "plot_sigmoid"} <= set(namespace)
        assert "plot_tanh" not in namespace
        # pyplot is kept for the plot functions, but none of the notebook's top-level plotting runs at import
        assert namespace["plt"] is plt and plt.get_fignums() == []
        top_level = {type(node).__name__ for node in ast.parse(code).body}
        assert top_level <= {"Import", "ImportFrom", "FunctionDef"}, top_level  # no plt.plot(), no plot_c2f()
        figure = namespace["plot_c2f"]()
        assert figure.axes[0].get_xlabel() == "Celcius"
    finally:
        plt.close("all")


def test_the_cp949_demo_keeps_its_bytes() -> None:
    data = (DEMO / "student15" / "c2f.py").read_bytes()
    assert b"\r\n" in data
    data.decode("cp949")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_the_committed_zip_matches_its_script() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_demo_zip.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
