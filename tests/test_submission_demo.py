"""Every submission of the demo class loads as its README says, and the committed zip matches its script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from activation_lab.course import load_course
from activation_lab.submissions.load import load_submission

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "submissions"
FIVE = {"c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py"}

# name -> (form, files, note keys, has answers.yaml)
EXPECTED = {
    "student01": ("directory", FIVE, (), True),
    "student02": ("directory", FIVE, (), True),
    "student03": ("directory", FIVE, (), True),
    "student04": ("directory", FIVE, (), False),
    "student05": ("directory", FIVE, (), True),
    "student06": ("directory", FIVE, (), False),
    "student07.zip": ("zip", FIVE, ("note.guarded_ignored",), True),
    "student08": ("directory", FIVE, (), True),
    "student09": ("directory", FIVE, (), False),
    "student10": ("directory", FIVE, (), True),
    "student11": ("directory", {"sigmoid.py", "step.py"}, (), True),
    "student12.ipynb": (
        "notebook",
        FIVE,
        ("note.notebook_magics", "note.notebook_shell", "note.notebook_dropped", "note.notebook_used"),
        False,
    ),
    "student13": ("directory", FIVE, (), False),
    "student14": ("directory", FIVE, (), True),
    "student15": ("directory", FIVE, ("note.decoded",), True),
    "student16": ("directory", FIVE, ("note.renamed", "note.renamed"), False),
    "student17": ("directory", FIVE, (), True),
    "student18": ("directory", FIVE, (), False),
    "student19": ("directory", FIVE, (), False),
}


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


def test_the_notebook_module_defines_all_ten_functions_without_plotting(course) -> None:
    submission = load_submission(DEMO / "student12.ipynb", course)
    code = submission.files["sigmoid.py"]
    namespace: dict = {}
    exec(compile(code, "student12.py", "exec"), namespace)  # our own demo content, no plotting left in it
    # the demo notebook predates the plot exercise: it defines every function of the five others
    functions = {f for spec in course.exercises if spec.id != "plots" for f in spec.functions}
    assert functions <= set(namespace)
    assert "plt" not in namespace and "matplotlib" not in code


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
