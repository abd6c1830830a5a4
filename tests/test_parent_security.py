"""A hostile class against the trusted parent (issue classes 2-6 and 8): honest neighbours keep 50/50.

Each class of attack is graded inside a class folder between honest students, through the real CLI and
the real sandbox, with one and with two grading workers; the attacked submission gets its own clear result
and the batch goes on. The sandbox's own classes (state surviving reuse, /dev/null) are in test_sandbox.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from hostile_class import grade_class, honest_submission

from activation_lab.cli.main import main

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
FULL = 60.0  # the five exercises and the plots, every reference file handed in


def _exercise(report: dict, exercise_id: str) -> dict:
    return next(e for e in report["exercises"] if e["id"] == exercise_id)


def _neighbours_untouched(reports: dict[str, dict]) -> None:
    for name in ("aaa-honest", "zzz-honest"):
        assert reports[name]["status"] == "graded", reports[name]
        assert reports[name]["score"] == FULL, [(e["id"], e["score"]) for e in reports[name]["exercises"]]


JOBS = [pytest.param("1", id="jobs1"), pytest.param("2", id="jobs2")]


# ---------------------------------------------------------------------------------------------------------
# Class 2: no points without an answer
# ---------------------------------------------------------------------------------------------------------

NO_ANSWER = {
    "returns-none": "def relu(x):\n    x[...] = 0\n\ndef relu_grad(x):\n    return None\n",
    "returns-object": (
        "class Junk:\n    pass\n\ndef relu(x):\n    return Junk()\n\ndef relu_grad(x):\n    return Junk()\n"
    ),
    "returns-text": "def relu(x):\n    return 'relu'\n\ndef relu_grad(x):\n    return str(x)\n",
    "always-raises": "def relu(x):\n    raise ValueError('no')\n\ndef relu_grad(x):\n    return 1 / 0\n",
    "returns-constant": "def relu(x):\n    return 0\n\ndef relu_grad(x):\n    return 0.0\n",
    "returns-empty": (
        "import numpy as np\n\ndef relu(x):\n    return np.empty(0)\n\ndef relu_grad(x):\n"
        "    return np.zeros((0, 3))\n"
    ),
    "returns-nan": (
        "import numpy as np\n\ndef relu(x):\n    return np.full(np.shape(x), np.nan)\n\n"
        "def relu_grad(x):\n    return np.full(np.shape(x), np.nan)\n"
    ),
    # the input is changed, and the arguments after the call can no longer be encoded: nothing to compare
    "breaks-args-after": (
        "import numpy as np\n\ndef _refuse(*a, **k):\n    raise RuntimeError('no arrays leave')\n\n"
        "def relu(x):\n    x[...] = 0\n    np.save = _refuse\n    return 0.0\n\n"
        "def relu_grad(x):\n    x[...] = 0\n    np.save = _refuse\n    return 0.0\n"
    ),
}


@pytest.mark.parametrize("jobs", JOBS)
def test_no_answer_earns_no_point_not_even_input_unchanged(tmp_path, capsys, jobs) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    for name, source in NO_ANSWER.items():
        (klass / name).mkdir(parents=True)
        (klass / name / "relu.py").write_text(source, encoding="utf-8")
    honest_submission(klass, "zzz-honest")
    code, reports, _ = grade_class([klass], capsys, "--jobs", jobs)
    assert code == 0
    _neighbours_untouched(reports)
    for name in NO_ANSWER:
        relu = _exercise(reports[name], "relu")
        assert relu["score"] == 0, (name, [(t["name"], t["score"]) for t in relu["tests"]])
        unchanged = next(t for t in relu["tests"] if "unchanged" in t["name"])
        assert unchanged["status"] == "failed" and unchanged["score"] == 0, (name, unchanged)


def test_a_real_answer_still_earns_input_unchanged(tmp_path, capsys) -> None:
    # wrong numbers, but numbers: leaving the input alone is worth its point
    folder = tmp_path / "wrong-but-honest"
    folder.mkdir()
    (folder / "relu.py").write_text(
        "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n\ndef relu_grad(x):\n"
        "    return np.sign(x).tolist()\n",  # a list of the input's shape is an answer of the wrong type
        encoding="utf-8",
    )
    code, reports, _ = grade_class([folder], capsys, "--jobs", "1")
    assert code == 0
    relu = _exercise(reports["wrong-but-honest"], "relu")
    unchanged = next(t for t in relu["tests"] if "unchanged" in t["name"])
    assert unchanged["score"] == 1 and relu["score"] < 10


@pytest.mark.parametrize(
    ("value", "raised", "valid"),
    [
        pytest.param(None, None, False, id="none"),
        pytest.param("text", None, False, id="text"),
        pytest.param(1 + 2j, None, False, id="complex"),
        pytest.param(2**2000, None, False, id="huge-int"),
        pytest.param(1.5, None, True, id="float"),
        pytest.param(3, None, True, id="int"),
        pytest.param(True, None, True, id="bool"),
        pytest.param([1.0, 2], None, True, id="list-of-numbers"),
        pytest.param([1.0, "x"], None, False, id="list-with-text"),
        pytest.param(float("nan"), None, False, id="only-nan"),
        pytest.param([float("nan"), 1.0], None, True, id="some-nan"),
        pytest.param(1.5, "ValueError", False, id="raised"),
    ],
)
def test_what_counts_as_an_answer(value, raised, valid) -> None:
    from activation_lab.grading.checks import is_valid_result
    from activation_lab.records import CallResult, Opaque, Raised

    result = CallResult(value=value, raised=Raised(raised, "") if raised else None)
    assert is_valid_result(result) is valid
    assert not is_valid_result(CallResult(value=Opaque("Junk")))


def test_a_test_that_passes_on_a_function_without_answers_scores_zero(tmp_path) -> None:
    """A suite test that would pass whatever the student returns is zeroed when the function never answers."""
    import shutil

    from activation_lab.course import load_course
    from activation_lab.grading.student import InProcessStudent
    from activation_lab.grading.suites import run_suites
    from activation_lab.i18n import render

    course_copy = tmp_path / "course"
    for part in ("autograder", "solutions", "exercises"):
        shutil.copytree(REPO / part, course_copy / part)
    manifest = course_copy / "autograder" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    relu_row = 'id = "relu"\nfile = "relu.py"\nfunctions = ["relu", "relu_grad"]\nmax_score = 10'
    assert relu_row in text
    manifest.write_text(text.replace(relu_row, relu_row[:-2] + "11"), encoding="utf-8")
    suite = course_copy / "autograder" / "test_relu.py"
    suite.write_text(
        suite.read_text(encoding="utf-8")
        + "\n\n@pytest.mark.points(1)\ndef test_only_calls(student):\n    student.call('relu', 1.0)\n",
        encoding="utf-8",
    )
    course = load_course(course_copy)
    hollow = tmp_path / "hollow" / "relu.py"
    hollow.parent.mkdir()
    hollow.write_text("def relu(x):\n    return None\n\ndef relu_grad(x):\n    return 1.0\n")
    result = run_suites(course, {"relu": InProcessStudent(hollow)}, lang="en", seed=0)["relu"]
    only = next(t for t in result.tests if t.name.render("en") == "test_only_calls")
    assert (
        only.score == 0
        and only.status == "failed"
        and "No points from tests that call relu" in render(only.feedback, "en")
    )
    assert any("No points from tests that call relu" in render(note, "en") for note in result.notes)
    honest = InProcessStudent(course_copy / "solutions" / "relu.py")
    assert run_suites(course, {"relu": honest}, lang="en", seed=0)["relu"].score == 11


# ---------------------------------------------------------------------------------------------------------
# Class 3: links are never followed
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", JOBS)
def test_links_in_a_class_folder_are_errors_of_their_entry(tmp_path, capsys, jobs) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    os.symlink(SOLUTIONS, klass / "linked-folder")
    os.symlink(SOLUTIONS / "sigmoid.py", klass / "linked-file.py")
    os.symlink(tmp_path / "nowhere", klass / "dangling")
    inside = klass / "links-inside"
    inside.mkdir()
    os.symlink(SOLUTIONS / "sigmoid.py", inside / "sigmoid.py")
    os.symlink(SOLUTIONS, inside / "nested")
    honest_submission(klass, "zzz-honest")
    code, reports, _ = grade_class([klass], capsys, "--jobs", jobs)
    assert code == 0  # a link is the submission's problem, never the grader's
    _neighbours_untouched(reports)
    for name in ("linked-folder", "linked-file", "dangling"):
        assert reports[name]["status"] == "error" and reports[name]["error_kind"] == "submission"
        assert reports[name]["score"] == 0 and "symbolic link" in reports[name]["error"]
    assert reports["links-inside"]["score"] == 0
    assert _exercise(reports["links-inside"], "sigmoid")["status"] == "missing"
    assert any("symbolic link" in note for note in reports["links-inside"]["notes"])


def test_a_linked_path_given_directly_is_refused(tmp_path, capsys) -> None:
    os.symlink(SOLUTIONS, tmp_path / "alice")
    code, reports, _ = grade_class([tmp_path / "alice"], capsys, "--jobs", "1")
    assert code == 0
    assert reports["alice"]["status"] == "error" and reports["alice"]["score"] == 0


def test_a_linked_exercise_file_does_not_make_a_class_look_like_one_submission(tmp_path) -> None:
    from activation_lab.grading.batch import expand_paths

    klass = tmp_path / "class"
    honest_submission(klass, "alice")
    honest_submission(klass, "bob")
    os.symlink(SOLUTIONS / "relu.py", klass / "relu.py")
    entries = expand_paths([klass], ("relu.py", "sigmoid.py"))
    assert [e.name for e in entries] == ["alice", "bob", "relu.py"]


# ---------------------------------------------------------------------------------------------------------
# Class 4: bounded parsers in the parent
# ---------------------------------------------------------------------------------------------------------


def alias_bomb(levels: int = 7, width: int = 10) -> str:
    """Nested YAML aliases: ``width ** levels`` values from a few hundred bytes."""
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        pytest.param(alias_bomb(), "once aliases are expanded", id="alias-bomb"),
        pytest.param("a: &a [1, *a]\n", "containing it", id="recursive-alias"),
        pytest.param("a: " + "[" * 200 + "]" * 200 + "\n", "levels deep", id="deep-nesting"),
        pytest.param("a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(150)), "aliases", id="many-aliases"),
        pytest.param("k: " + "x" * (1024 * 1024 + 1) + "\n", "KiB", id="too-large"),
    ],
)
def test_yaml_beyond_the_bounds_is_refused_with_a_located_message(text: str, what: str) -> None:
    from activation_lab.quiz.load import QuizValidationError, check_quiz_text, parse_yaml

    with pytest.raises(QuizValidationError) as raised:
        parse_yaml(text, "answers.yaml")
    assert raised.value.problems[0].text.key == "validate.yaml_too_complex" and what in str(raised.value)
    _, problems = check_quiz_text(text, "quizzes/bomb.yaml")  # quiz files go through the same bounds
    assert [p.text.key for p in problems] == ["validate.yaml_too_complex"]


def test_yaml_with_a_few_anchors_still_loads() -> None:
    from activation_lab.quiz.load import parse_yaml

    text = "base: &base {a: 1, b: [1, 2]}\nother: *base\nthird:\n  <<: *base\n  c: 3\n"
    data = parse_yaml(text, "answers.yaml")
    assert data["other"]["b"] == [1, 2] and data["third"]["c"] == 3


@pytest.mark.parametrize("jobs", JOBS)
def test_an_alias_bomb_in_answers_is_that_students_quiz_error(tmp_path, capsys, jobs) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    bomber = honest_submission(klass, "bomber")
    (bomber / "answers.yaml").write_text(alias_bomb(), encoding="utf-8")
    honest_submission(klass, "zzz-honest")
    code, reports, _ = grade_class([klass], capsys, "--jobs", jobs)
    assert code == 0
    _neighbours_untouched(reports)
    quiz = reports["bomber"]["quiz"]
    assert quiz["score"] == 0 and quiz["items"][0]["id"] == "answers.yaml"
    assert "too large or too complex" in quiz["items"][0]["feedback"]
    assert reports["bomber"]["score"] == FULL  # the code is still graded


def _notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                for c in cells
            ],
        }
    )


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param(["x = 1"] * 2001, id="too-many-cells"),
        pytest.param(["print(1)\n" * 30_000], id="too-much-code"),
    ],
)
def test_notebooks_beyond_the_bounds_are_that_submissions_error(tmp_path, capsys, cells) -> None:
    (tmp_path / "big.ipynb").write_text(_notebook(cells), encoding="utf-8")
    code, reports, _ = grade_class([tmp_path / "big.ipynb"], capsys, "--jobs", "1")
    assert code == 0
    report = reports["big"]
    assert report["status"] == "error" and report["error_kind"] == "submission"
    assert "too much code" in report["error"]


def test_statement_summaries_of_a_long_notebook_are_right() -> None:
    from activation_lab.submissions.notebook import notebook_code

    cell = "import numpy as np\n" + "print('말', 1); y = 2\n" * 3000 + "def relu(x):\n    return x\n"
    code = notebook_code(_notebook([cell]), {"relu"})
    assert code.defined[-1] == "relu" and len(code.dropped) == 3000
    assert code.dropped[0] == "cell 1: print('말', 1)"


# ---------------------------------------------------------------------------------------------------------
# Class 5: a deep expression is the student's error
# ---------------------------------------------------------------------------------------------------------

DEEP_SUM = "+".join(["np"] * 1500)


@pytest.mark.parametrize("jobs", JOBS)
def test_deep_expressions_are_notes_on_the_cell_and_exit_0(tmp_path, capsys, jobs) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    (klass / "deep-shared-line.ipynb").write_text(
        _notebook(["import numpy as np\nx = 1; sigmoid = " + DEEP_SUM, (SOLUTIONS / "relu.py").read_text()]),
        encoding="utf-8",
    )
    (klass / "deep-parens.ipynb").write_text(
        _notebook(["sigmoid = " + "(" * 300 + "1" + ")" * 300]), encoding="utf-8"
    )
    (klass / "deep-json.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    deep_py = klass / "deep-py"
    deep_py.mkdir()
    (deep_py / "sigmoid.py").write_text("import numpy as np\nsigmoid = " + DEEP_SUM + "\n")
    honest_submission(klass, "zzz-honest")
    code, reports, err = grade_class([klass], capsys, "--jobs", jobs)
    assert code == 0, err
    _neighbours_untouched(reports)
    shared = reports["deep-shared-line"]
    assert shared["status"] == "graded" and _exercise(shared, "relu")["score"] == 10
    assert any("nested too deeply" in note for note in shared["notes"])
    assert _exercise(shared, "sigmoid")["status"] == "missing"
    assert reports["deep-parens"]["status"] == "graded"
    assert any("Cell 1" in note for note in reports["deep-parens"]["notes"])
    assert reports["deep-json"]["error_kind"] == "submission"
    assert _exercise(reports["deep-py"], "sigmoid")["status"] == "error"  # its import failed: its own error
    assert all(r["error_kind"] != "grader" for r in reports.values())


# ---------------------------------------------------------------------------------------------------------
# Class 6: the instructor's terminal and spreadsheet
# ---------------------------------------------------------------------------------------------------------

HOSTILE_NAMES = {
    "osc52": "\x1b]52;c;aGFja2Vk\x07mallory",
    "cursor": "\x1b[2J\x1b[Hclear",
    "cr": "carol\rdave",
    "bidi": "evil\u202egnp.exe",
    "formula": '=HYPERLINK("x","y")',
    "plus": "+cmd",
    "minus": "-2+3",
    "at": "@SUM(A1)",
}
SGR_ONLY = re.compile(r"\x1b\[[0-9;]*m")


def test_visible_and_csv_cell() -> None:
    from activation_lab.display import csv_cell, inert, markup_safe, visible

    assert visible("a\x1b[31mb\x07") == "a␛[31mb␇"
    assert visible("x\ny") == "x␊y" and visible("x\ny", keep_newlines=True) == "x\ny"
    assert visible("a\x9bb\u202ec") == "a\\x9bb\\u202ec"
    assert markup_safe("alice[dim]") == "alice\\[dim]"
    from rich.console import Console

    console = Console(file=io.StringIO(), width=80)
    console.print(inert("alice[dim]:smile:\x1b[2J"))
    assert console.file.getvalue() == "alice[dim]:smile:␛[2J\n"
    for dangerous in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert str(csv_cell(dangerous)).startswith("'")
    assert csv_cell("alice") == "alice" and csv_cell(3.5) == 3.5


@pytest.mark.parametrize("jobs", JOBS)
def test_names_and_feedback_reach_terminal_and_csv_inert(tmp_path, capsys, jobs) -> None:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    honest_submission(klass, "alice")
    honest_submission(klass, "alice[dim]")
    honest_submission(klass, "alice:smile:")
    for name in HOSTILE_NAMES.values():
        honest_submission(klass, name)
    honest_submission(klass, "zzz-honest")
    out = tmp_path / "out"
    code = main(["grade", str(klass), "--out", str(out), "--jobs", jobs, "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0
    screen = captured.out + captured.err
    assert "\x1b" not in screen and "\r" not in screen and "\u202e" not in screen
    assert "alice[dim]" in screen and "alice:smile:" in screen  # literally, not read as markup or emoji
    assert "␛]52;c;aGFja2Vk␇mallory" in screen
    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    names = [row[0] for row in rows[1:]]
    assert all(not name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    assert '\'=HYPERLINK("x","y")' in names and "'-2+3" in names and "alice[dim]" in names
    assert all(row[-1] == "graded" and float(row[-3]) == FULL for row in rows[1:])
    # the JSON reports stay raw: they are data
    stored = {json.loads(p.read_text(encoding="utf-8"))["submission"] for p in out.glob("*.json")}
    assert set(HOSTILE_NAMES.values()) <= stored


def test_a_real_terminal_gets_only_colour_codes(tmp_path, capsys) -> None:
    from rich.console import Console

    from activation_lab.cli.tables import detail_table, summary_table

    folder = tmp_path / "\x1b]52;c;eA==\x07eve[bold]:smile:"
    folder.mkdir()
    (folder / "relu.py").write_text(
        "def relu(x):\n    print('\\x1b[2J\\x1b]0;owned\\x07[red]x[/red]')\n"
        "    raise ValueError('\\x1b[1A\\x1b[Kgone [link=http://x]click[/link]')\n\n"
        "def relu_grad(x):\n    return None\n",
        encoding="utf-8",
    )
    code, reports, _ = grade_class([folder], capsys, "--jobs", "1")
    assert code == 0
    report = next(iter(reports.values()))
    terminal = io.StringIO()
    console = Console(file=terminal, force_terminal=True, color_system="truecolor", width=200)
    console.print(detail_table(report, "en"))
    console.print(summary_table([report], ["relu"], "en"))
    text = terminal.getvalue()
    assert SGR_ONLY.sub("", text).count("\x1b") == 0, repr(text[:500])
    plain = SGR_ONLY.sub("", text)
    assert "eve[bold]:smile:" in plain and "[link=http://x]click[/link]" in plain and "[red]x[/red]" in plain


def test_quiz_stats_csv_cells_are_neutralised(tmp_path) -> None:
    from activation_lab.quiz import stats
    from activation_lab.quiz.load import load_quizzes

    answers = tmp_path / "answers"
    answers.mkdir()
    for student in ("=cmd|' -C calc'!A0", "@evil", "plain"):
        (answers / f"{student}.yaml").write_text("joypop-why-converter: '=1+1'\n", encoding="utf-8")
    out = tmp_path / "stats"
    stats.run_analysis(answers, load_quizzes(REPO / "quizzes"), out, lang="en")
    for path in out.glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)


# ---------------------------------------------------------------------------------------------------------
# Class 8: a folder that mixes exercise files and other submissions is never guessed
# ---------------------------------------------------------------------------------------------------------


def _mixed(tmp_path: Path) -> Path:
    klass = tmp_path / "class"
    honest_submission(klass, "aaa-honest")
    honest_submission(klass, "zzz-honest")
    (klass / "sigmoid.py").write_text((SOLUTIONS / "sigmoid.py").read_text())  # one student's stray file
    (klass / "bob.py").write_text((SOLUTIONS / "relu.py").read_text())
    return klass


def test_a_mixed_folder_is_refused_with_how_it_was_read_and_how_to_lay_it_out(tmp_path, capsys) -> None:
    code, reports, err = grade_class([_mixed(tmp_path)], capsys, "--jobs", "1")
    assert code == 2 and reports == {}
    assert "sigmoid.py" in err and "bob.py" in err and "aaa-honest/" in err
    assert "--layout class" in err and "--layout submission" in err
    code, _, err_ko = grade_class([_mixed(tmp_path / "ko")], capsys, "--jobs", "1", "--lang", "ko")
    assert code == 2 and "채점하지 않았습니다" in err_ko


@pytest.mark.parametrize("jobs", JOBS)
def test_layout_class_grades_every_entry(tmp_path, capsys, jobs) -> None:
    code, reports, _ = grade_class([_mixed(tmp_path)], capsys, "--jobs", jobs, "--layout", "class")
    assert code == 0
    _neighbours_untouched(reports)
    assert set(reports) == {"aaa-honest", "zzz-honest", "sigmoid", "bob"}
    assert reports["sigmoid"]["score"] == 10 and reports["bob"]["score"] == 10


def test_layout_submission_grades_the_folder_as_one(tmp_path, capsys) -> None:
    code, reports, _ = grade_class([_mixed(tmp_path)], capsys, "--jobs", "1", "--layout", "submission")
    assert code == 0 and list(reports) == ["class"]


def test_ordinary_layouts_are_not_refused(tmp_path) -> None:
    from activation_lab.grading.batch import expand_paths

    files = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")
    alice = honest_submission(tmp_path, "alice")  # one student, with editor debris
    (alice / "__pycache__").mkdir()
    (alice / ".ipynb_checkpoints").mkdir()
    (alice / "Sigmoid (1).py").write_text("x = 1\n")  # a forgivable name is an exercise file too
    assert expand_paths([alice], files) == [alice]
    assert [p.name for p in expand_paths([REPO / "examples" / "submissions"], files)][:2] == [
        "student01",
        "student02",
    ]


def test_quiz_stats_never_follows_a_link(tmp_path) -> None:
    from activation_lab.quiz import stats
    from activation_lab.quiz.load import load_quizzes

    answers = tmp_path / "answers"
    (answers / "bob").mkdir(parents=True)
    (answers / "alice.yaml").write_text("joypop-why-converter: a\n", encoding="utf-8")
    (answers / "bob" / "answers.yaml").write_text("joypop-why-converter: b\n", encoding="utf-8")
    os.symlink(answers / "alice.yaml", answers / "copycat.yaml")
    os.symlink(answers / "bob", answers / "dave")
    (answers / "erin").mkdir()
    os.symlink(answers / "alice.yaml", answers / "erin" / "answers.yaml")
    result = stats.analyse(answers, load_quizzes(REPO / "quizzes"), lang="en")
    assert result.students == ("alice", "bob")
    skipped = {
        Path(s.path).name if Path(s.path).name != "answers.yaml" else "erin": s for s in result.skipped
    }
    assert set(skipped) == {"copycat.yaml", "dave", "erin"}
    assert all("symbolic link" in s.reason for s in skipped.values())


def test_quiz_grade_table_shows_answers_inert(tmp_path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        '"\\e]52;c;eA==\\a[bold]key": 1\njoypop-why-converter: "\\e[2J[red]b[/red]\\r"\n', encoding="utf-8"
    )
    code = main(["quiz", "grade", str(REPO / "quizzes" / "neuron.yaml"), str(answers), "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0
    assert "\x1b" not in captured.out and "\r" not in captured.out
    assert "␛]52;c;eA==␇[bold]key" in captured.out.replace("\n", "").replace("│", "").replace(" ", "")


@pytest.mark.parametrize(
    ("value", "arg", "answers"),
    [
        pytest.param(0, "array", False, id="constant-for-array"),
        pytest.param("empty", "array", False, id="empty-for-array"),
        pytest.param("same-shape", "array", True, id="same-shape"),
        pytest.param("list-same-shape", "array", True, id="list-of-the-shape"),
        pytest.param(0.5, 1.0, True, id="number-for-number"),
        pytest.param("same-shape", 1.0, False, id="array-for-number"),
    ],
)
def test_an_answer_to_this_input(value, arg, answers) -> None:
    import numpy as np

    from activation_lab.grading.checks import answers_input
    from activation_lab.records import CallResult

    x = np.array([[-1.0, 4.0], [0.0, -2.0]]) if arg == "array" else arg
    made = {
        "empty": np.empty(0),
        "same-shape": np.ones((2, 2)),
        "list-same-shape": [[0.0, 4.0], [0.0, 0.0]],
    }.get(value, value)
    assert answers_input(CallResult(value=made), x) is answers
