"""The students' public self-check (``exercises/``), run as they run it: ``pytest`` in a copy of the folder.

Every run is a real ``pytest`` subprocess in which ``activation_lab`` cannot be imported, so the self-check
is shown to need only numpy and pytest. Also checks the stubs (names, bilingual docstrings, the traps).
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXERCISES_DIR = REPO / "exercises"
SOLUTIONS_DIR = REPO / "solutions"
CORPUS = REPO / "tests" / "corpus"
FUNCTIONS = {
    "c2f": ("activate", "C2F"),
    "sigmoid": ("sigmoid", "sigmoid_grad"),
    "step": ("step", "bipolar_step"),
    "tanh": ("tanh", "tanh_grad"),
    "relu": ("relu", "relu_grad"),
}
# Run pytest with the engine unimportable: the public checks must work on a machine without activation-lab.
WITHOUT_ENGINE = (
    "import sys; sys.modules['activation_lab'] = None; import pytest; sys.exit(pytest.main(sys.argv[1:]))"
)
HINT = re.compile(r"hint \[(\w+)\]|힌트 \[(\w+)\]")
HANGUL = re.compile(r"[가-힣]")
SLIDE_STEP = """import numpy as np


def step(x):
    if x >= 0:
        return 1
    else:
        return 0


def bipolar_step(x):
    if x >= 0:
        return 1
    else:
        return -1
"""


@dataclass(frozen=True, slots=True)
class PublicRun:
    """One run of the public checks: exit code, terminal output and per-test outcomes from the JUnit XML."""

    returncode: int
    output: str
    failed: dict[str, str]  # test id -> failure text
    passed: tuple[str, ...]

    def hints_of(self, test_file: str) -> set[str]:
        """The misconception keys named by the failed tests of one ``test_public_*.py`` file."""
        keys: set[str] = set()
        for test_id, text in self.failed.items():
            if test_id.startswith(test_file.removesuffix(".py")):
                keys |= {a or b for a, b in HINT.findall(text)}
        return keys


def student_folder(target: Path, files: dict[str, Path] | None = None) -> Path:
    """A copy of ``exercises/`` in ``target``, with the given student files (``step.py`` -> source) put in."""
    target.mkdir(parents=True)
    for path in EXERCISES_DIR.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    for name, source in (files or {}).items():
        shutil.copyfile(source, target / name)
    return target


def run_public(
    folder: Path, *args: str, lang: str = "en", extra_env: dict[str, str] | None = None
) -> PublicRun:
    """Run ``pytest`` in ``folder`` as a student would, without activation_lab, in the given language.

    ``lang=""`` leaves ``ACTIVATION_LAB_LANG`` unset (the course default decides).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ACTIVATION_LAB_"))}
    env.pop("PYTHONPATH", None)
    # A student's machine has plain pytest: no third-party plugins (this also keeps each run fast).
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **(extra_env or {}))
    if lang:
        env["ACTIVATION_LAB_LANG"] = lang
    junit = folder / "junit.xml"
    command = [sys.executable, "-c", WITHOUT_ENGINE, "-p", "no:cacheprovider", f"--junitxml={junit}", *args]
    completed = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    failed: dict[str, str] = {}
    passed: list[str] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            passed.append(test_id)
        else:
            failed[test_id] = f"{problem.get('message', '')}\n{problem.text or ''}"
    return PublicRun(completed.returncode, completed.stdout + completed.stderr, failed, tuple(passed))


# ----------------------------------------------------------------------------------------------------------
# Whole runs
# ----------------------------------------------------------------------------------------------------------


def test_reference_solutions_pass_every_public_check(tmp_path: Path) -> None:
    solutions = {f"{name}.py": SOLUTIONS_DIR / f"{name}.py" for name in [*FUNCTIONS, "plots"]}
    run = run_public(student_folder(tmp_path / "student", solutions))
    assert run.returncode == 0, run.output
    assert not run.failed
    assert len(run.passed) >= 60  # the public checks of all six files ran
    assert run.output.count("all passed") == len(FUNCTIONS) + 1, run.output


@pytest.mark.parametrize(
    ("lang", "per_test", "summary"),
    [
        pytest.param("en", "is not attempted yet", "not attempted yet", id="en"),
        pytest.param("ko", "아직 작성하지 않은 상태입니다", "아직 작성하지 않음", id="ko"),
    ],
)
def test_unchanged_stubs_fail_every_check_as_not_attempted(
    tmp_path: Path, lang: str, per_test: str, summary: str
) -> None:
    run = run_public(student_folder(tmp_path / "student"), lang=lang)
    assert run.returncode == 1, run.output
    assert not run.passed
    assert len(run.failed) >= 50
    for test_id, text in run.failed.items():
        assert per_test in text, f"{test_id} does not say 'not attempted':\n{text}"
        assert HINT.search(text) and {a or b for a, b in HINT.findall(text)} == {"not_attempted"}
    assert run.output.count(summary) >= len(FUNCTIONS), run.output
    if lang == "en":
        # Only the self-check's own summary section: pytest's short test summary after it quotes the stub's
        # exception text verbatim (bilingual on purpose), and untruncated when CI=true.
        section = run.output.split("activation-lab self-check", 1)[1].split("\n=", 1)[0]
        assert "not attempted yet" in section
        assert not HANGUL.search(section), "Korean in the en summary"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_slide_step_is_told_about_the_ambiguous_truth_value(tmp_path: Path, lang: str) -> None:
    folder = student_folder(tmp_path / "student")
    (folder / "step.py").write_text(SLIDE_STEP, encoding="utf-8")
    run = run_public(folder, "test_public_step.py", lang=lang)
    assert run.returncode == 1
    assert "ambiguous_truth" in run.hints_of("test_public_step.py")
    slide_case = next(text for test_id, text in run.failed.items() if "np.array([-1, 2, 3])" in test_id)
    assert "if x >= 0" in slide_case  # the student's own line is quoted
    assert ("[False True True]" in slide_case) and (("배열" in slide_case) == (lang == "ko"))
    # scalars work with the slide's code, as on the slide: step(3) = 1 passes
    assert any("step(3) = 1" in test_id for test_id in run.passed)


SLIDE_TRAPS = [
    pytest.param("step/slide_method1.py", "step_strict_at_zero", "step(0) = 1", id="method 1: x > 0"),
    pytest.param("step/slide_method2.py", "np_int_removed", "np.int", id="method 2: dtype=np.int"),
    pytest.param("step/returns_bool.py", "bool_result", "bool", id="returns x >= 0"),
    pytest.param("sigmoid/print_result.py", "returned_none", "print", id="prints instead of returning"),
    pytest.param("relu/builtin_max.py", "builtin_max_on_array", "np.maximum", id="built-in max(0, x)"),
]


@pytest.mark.parametrize(("corpus_file", "hint", "phrase"), SLIDE_TRAPS)
def test_public_checks_name_the_misconception(
    tmp_path: Path, corpus_file: str, hint: str, phrase: str
) -> None:
    source = CORPUS / "wrong" / corpus_file
    exercise = source.parent.name
    folder = student_folder(tmp_path / "student", {f"{exercise}.py": source})
    run = run_public(folder, f"test_public_{exercise}.py")
    assert run.returncode == 1
    assert hint in run.hints_of(f"test_public_{exercise}.py")
    assert any(phrase in text for text in run.failed.values())


def test_an_unimportable_file_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "student")
    (folder / "relu.py").write_text("import numpy as np\n%matplotlib inline\n\ndef relu(x):\n    return x\n")
    run = run_public(folder, "test_public_relu.py")
    assert run.returncode == 1
    assert run.hints_of("test_public_relu.py") == {"import_error"}
    assert all("relu.py:2" in text and "SyntaxError" in text for text in run.failed.values())


def _needs(path: Path) -> list[str]:
    return re.findall(r"^# needs: (\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)


def _rounds(kind: str) -> list[dict[str, Path]]:
    """Corpus files grouped into student folders: round i holds the i-th file of every exercise.

    A wrong file that needs a particular other file (``# needs: exercises/sigmoid.py``, the stub) gets a
    folder of its own with that file.
    """
    paths = sorted(path for name in FUNCTIONS for path in (CORPUS / kind / name).glob("*.py"))
    alone = [path for path in paths if kind == "wrong" and _needs(path)]
    by_exercise = [[p for p in paths if p.parent.name == name and p not in alone] for name in FUNCTIONS]
    rounds = [
        {f"{path.parent.name}.py": path for path in group if path is not None}
        for group in itertools.zip_longest(*by_exercise)
    ]
    for path in alone:
        files = {f"{path.parent.name}.py": path}
        for needed in _needs(path):
            source = REPO / needed if needed.startswith("exercises/") else CORPUS / "right" / needed
            files[source.name if needed.startswith("exercises/") else f"{source.parent.name}.py"] = source
        rounds.append(files)
    return rounds


def test_every_right_corpus_file_passes_the_public_checks(tmp_path: Path) -> None:
    for number, files in enumerate(_rounds("right")):
        for path in list(files.values()):
            need = re.search(r"^# needs: (\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
            if need and f"{Path(need.group(1)).parent.name}.py" not in files:
                files[f"{Path(need.group(1)).parent.name}.py"] = CORPUS / "right" / need.group(1)
        folder = student_folder(tmp_path / f"round{number}", files)
        tests = [f"test_public_{name}" for name in files]
        run = run_public(folder, *tests)
        assert run.returncode == 0, f"{sorted(str(p) for p in files.values())}\n{run.output[-4000:]}"


@pytest.mark.slow
def test_every_wrong_corpus_file_fails_a_public_check_with_its_hint(tmp_path: Path) -> None:
    problems = []
    for number, files in enumerate(_rounds("wrong")):
        folder = student_folder(tmp_path / f"round{number}", files)
        run = run_public(folder, *[f"test_public_{name}" for name in files])
        for name, path in files.items():
            if path.parent.parent.name != "wrong":  # a file it needs, not one under test
                continue
            header = re.search(r"^# expect-hint:(.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
            assert header is not None, path
            expected = {key.strip() for key in header.group(1).split(",")}
            shown = run.hints_of(f"test_public_{name}")
            if not expected <= shown:
                problems.append(
                    f"{path.relative_to(CORPUS)}: expected {sorted(expected)}, shown {sorted(shown)}"
                )
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------------------
# The folder itself
# ----------------------------------------------------------------------------------------------------------


def test_the_public_checks_never_import_the_engine() -> None:
    for path in EXERCISES_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.split(".")[0] == "activation_lab" for name in imported), path.name
    probe = subprocess.run(
        [sys.executable, "-c", WITHOUT_ENGINE.replace("import pytest", "import activation_lab")],
        capture_output=True,
        text=True,
    )
    # the runs above really lacked the engine
    assert probe.returncode != 0 and "import of activation_lab halted" in probe.stderr


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("exercise", list(FUNCTIONS))
def test_stub_defines_its_functions_with_bilingual_docstrings(exercise: str) -> None:
    path = EXERCISES_DIR / f"{exercise}.py"
    source = path.read_text(encoding="utf-8")
    assert "import numpy as np" in source
    functions = _functions(path)
    assert set(FUNCTIONS[exercise]) <= set(functions)
    for name in FUNCTIONS[exercise]:
        node = functions[name]
        doc = ast.get_docstring(node) or ""
        korean, english = HANGUL.search(doc), doc.find("Formula")
        assert korean and english > korean.start(), f"{name}: Korean first, then English"
        assert "Example" in doc and "예" in doc, f"{name}: a worked example in both languages"
        body = [stmt for stmt in node.body if not isinstance(stmt, ast.Expr)]
        assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{name}: the body is one raise"
        assert "NotImplementedError" in ast.unparse(body[0])


def test_step_stub_explains_the_slide_traps() -> None:
    doc = ast.get_docstring(ast.parse((EXERCISES_DIR / "step.py").read_text(encoding="utf-8"))) or ""
    for phrase in ("if x >= 0:", "ambiguous", "step(0) must be 1", "np.int", "NumPy 1.24", "(x >= 0) * 1"):
        assert phrase in doc, phrase
    step_doc = ast.get_docstring(_functions(EXERCISES_DIR / "step.py")["step"]) or ""
    assert "step(0) == 1" in step_doc
    assert "relu_grad(0) == 0" in (
        ast.get_docstring(_functions(EXERCISES_DIR / "relu.py")["relu_grad"]) or ""
    )
