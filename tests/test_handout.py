"""``activation-lab release``: the student handout holds what students need and leaks nothing else.

The last test is the issue's "done when": the zip unpacked in an empty folder, a fresh venv with only numpy,
pytest and matplotlib, and a first ``pytest`` whose whole output fits in 40 lines and names the next step.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from activation_lab.cli.main import main
from activation_lab.course import load_course
from activation_lab.handout.published import published_tests
from activation_lab.quiz.load import load_quizzes
from activation_lab.quiz.model import Matching, MultipleSelect, Numeric, ShortText, SingleChoice

REPO = Path(__file__).resolve().parents[1]
SCREEN = 40


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "activation-lab-week3"
    assert main(["release", str(out), "--lang", "en"]) == 0
    return out


def handout_texts(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_the_handout_has_what_students_need(handout: Path) -> None:
    names = set(handout_texts(handout))
    course = load_course()
    for spec in course.exercises:
        assert spec.file in names and f"test_public_{Path(spec.file).stem}.py" in names
    assert {"README.md", "answers.yaml", "activations.ipynb", "conftest.py", "pytest.ini"} <= names
    assert {f"quizzes/{quiz.id}.md" for quiz in load_quizzes(course.quizzes_dir)} <= names
    with zipfile.ZipFile(handout.with_name(handout.name + ".zip")) as archive:
        zipped = {n.split("/", 1)[1] for n in archive.namelist()}
    assert zipped == names


def test_the_readme_publishes_every_graded_test_and_the_rules(handout: Path) -> None:
    readme = (handout / "README.md").read_text(encoding="utf-8")
    for exercise, tests in published_tests(load_course()).items():
        for test in tests:
            assert test.title("ko") in readme and test.title("en") in readme, (exercise, test)
    assert "float64" in readme and "1e-07" in readme and "1e-09" in readme
    assert "advice only, 0 pt" in readme and "조언만, 0점" in readme
    for step in ("pytest", "answers.yaml", "Gradescope", "Open edX"):
        assert step in readme
    assert readme.index("## 한국어") < readme.index("## English")


def test_check_list_prints_titles_and_points_adding_up(capsys) -> None:
    assert main(["check", "--list", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    course = load_course()
    for spec in course.exercises:
        assert f"### {spec.file} ({spec.max_score:g} points)" in printed
        tests = published_tests(course)[spec.id]
        assert sum(t.points for t in tests) == spec.max_score
    assert re.search(r"- 2 pt — .+", printed) and "|x| ≥ 700" in printed


def _significant_lines(source: str) -> set[str]:
    """Lines of code that say something (not imports, blank lines, brackets or docstrings)."""
    tree = ast.parse(source)
    docstrings = {
        (node.body[0].lineno, node.body[0].end_lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    in_doc = {n for start, end in docstrings for n in range(start, end + 1)}
    lines = set()
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if number in in_doc or len(text) < 16 or text.startswith(("import ", "from ", "#", "def ", "@")):
            continue
        lines.add(text)
    return lines


def test_no_reference_code_or_hidden_test_source_leaks(handout: Path) -> None:
    texts = handout_texts(handout)
    everything = "\n".join(texts.values())
    # What the stubs and public checks say themselves (docstrings included) is public by design.
    public = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "exercises").glob("*.py"))
    for path in [*(REPO / "solutions").glob("*.py"), *(REPO / "autograder").glob("test_*.py")]:
        secret = _significant_lines(path.read_text(encoding="utf-8"))
        leaked = sorted(line for line in secret if line in everything and line not in public)
        assert not leaked, f"{path.name} leaks into the handout: {leaked[:3]}"
    hidden_names = {
        node.name
        for path in (REPO / "autograder").glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    assert not [name for name in hidden_names if name in everything]
    assert "solutions/" not in everything and "autograder/" not in everything


def test_no_quiz_key_or_feedback_leaks(handout: Path) -> None:
    texts = handout_texts(handout)
    sheets = "\n".join(text for name, text in texts.items() if name.startswith("quizzes/"))
    everything = "\n".join(texts.values())
    secrets, shown = [], set()
    for quiz in load_quizzes(REPO / "quizzes"):
        for item in quiz.items:
            shown |= set(item.prompt.all_texts())
            if isinstance(item, SingleChoice | MultipleSelect):
                shown |= {t for c in item.choices for t in c.text.all_texts()}
            if isinstance(item, Matching):
                sides = [*(p.left for p in item.pairs), *(p.right for p in item.pairs), *item.distractors]
                shown |= {t for side in sides for t in side.all_texts()}
    for quiz in load_quizzes(REPO / "quizzes"):
        for item in quiz.items:
            if item.explanation is not None:
                secrets += item.explanation.all_texts()
            if isinstance(item, SingleChoice | MultipleSelect):
                secrets += [t for c in item.choices if c.feedback is not None for t in c.feedback.all_texts()]
                assert f"`{item.choices[0].id}`" not in sheets  # choice ids (authors' order) are never shown
            if isinstance(item, Numeric):
                secrets += [t for w in item.wrong for t in w.feedback.all_texts()]
            if isinstance(item, ShortText):
                secrets += [a.text for a in item.accept]
            if isinstance(item, Matching):
                secrets += [t for p in item.pairs if p.feedback is not None for t in p.feedback.all_texts()]
    # a feedback text that is also a choice of another question is public as that choice
    # (or is said by another question's prompt, e.g. a lecture term)
    leaked = [s for s in secrets if len(s) > 8 and s in everything and not any(s in t for t in shown)]
    assert not leaked, leaked[:3]
    assert "correct:" not in sheets and "correct: true" not in everything
    answers = texts["answers.yaml"]
    assert all(
        re.fullmatch(r"  [\w.-]+:    # .+", line) for line in answers.splitlines() if line.startswith("  ")
    )


def test_release_refuses_a_file_as_out(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["release", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.slow
def test_fresh_venv_first_pytest_fits_one_screen(handout: Path, tmp_path: Path) -> None:
    student = tmp_path / "empty"
    student.mkdir()
    with zipfile.ZipFile(handout.with_name(handout.name + ".zip")) as archive:
        archive.extractall(student)
    folder = student / handout.name
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    install = [
        str(python),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "-r",
        "requirements.txt",
    ]
    subprocess.run(install, cwd=folder, check=True, capture_output=True, timeout=900)
    clean_env = {"PATH": str(python.parent), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    run = subprocess.run(
        [str(python), "-m", "pytest"], cwd=folder, env=clean_env, capture_output=True, text=True, timeout=600
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert len(output.rstrip("\n").splitlines()) <= SCREEN, output
    assert "다음 단계: c2f.py" in output, output
    assert "activation_lab" not in output and "plots.py" in output
