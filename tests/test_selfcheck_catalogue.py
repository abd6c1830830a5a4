"""The public self-check says what the grader says: its texts are generated from the one catalogue.

``exercises/selfcheck_feedback.py`` must run without activation-lab, so it holds a generated copy of
``messages/feedback.toml`` (``scripts/generate_selfcheck_catalogue.py``); a drift fails here. Its small
particle chooser must agree with the grader's (tossi). And the self-check names the same real causes as the
grader: an unfinished function in another file, the empty-array truth value, the Fahrenheit-to-Celsius
formula.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import tossi
from test_public_tests import CORPUS, EXERCISES_DIR, REPO, run_public, student_folder

SCRIPT = REPO / "scripts" / "generate_selfcheck_catalogue.py"


def _selfcheck_module():
    spec = importlib.util.spec_from_file_location("selfcheck_copy", EXERCISES_DIR / "selfcheck_feedback.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["selfcheck_copy"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_the_generated_catalogue_is_current() -> None:
    completed = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_selfcheck_holds_every_grader_hint_word_for_word() -> None:
    from activation_lab.i18n import load_catalog

    module = _selfcheck_module()
    for key, entry in load_catalog("feedback").items():
        if key.startswith("hint."):
            assert module.MESSAGES[key] == {"en": entry["en"], "ko": entry["ko"]}, key


@pytest.mark.parametrize(
    "word",
    ["순입력", "기울기", "값", "길", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "36.5", "'3'"],
)
@pytest.mark.parametrize("particle", ["은(는)", "이(가)", "을(를)", "과(와)", "(으)로"])
def test_the_selfcheck_particles_agree_with_tossi(word: str, particle: str) -> None:
    module = _selfcheck_module()
    assert module.attach_particle(word, particle) == tossi.postfix(word, particle)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_finished_file_importing_an_unfinished_one_is_not_called_unattempted(
    tmp_path: Path, lang: str
) -> None:
    source = CORPUS / "wrong" / "tanh" / "imports_unfinished_sigmoid.py"
    folder = student_folder(tmp_path / "student", {"tanh.py": source})  # sigmoid.py stays the stub
    run = run_public(folder, "test_public_tanh.py", lang=lang)
    assert run.returncode == 1
    assert run.hints_of("test_public_tanh.py") == {"unfinished_import"}
    assert all("sigmoid.py:31" in text for text in run.failed.values())  # the unfinished line, named
    summary = run.output.split("activation-lab", 1)[-1]
    assert ("not attempted yet" not in summary) and ("아직 작성하지 않음" not in summary)


def test_the_empty_array_truth_value_is_the_ambiguous_truth_mistake() -> None:
    module = _selfcheck_module()
    try:
        bool(__import__("numpy").array([]) >= 0)
    except ValueError as error:  # NumPy 2; NumPy 1 only warned
        assert module.diagnose_error("step", error, "step.py:5  if x >= 0:", "step") == "ambiguous_truth"
    else:  # pragma: no cover - NumPy 1
        pytest.skip("this NumPy does not raise for an empty array")


def test_the_fahrenheit_to_celsius_formula_is_named(tmp_path: Path) -> None:
    source = CORPUS / "wrong" / "c2f" / "fahrenheit_to_celsius.py"
    run = run_public(student_folder(tmp_path / "student", {"c2f.py": source}), "test_public_c2f.py")
    assert "c2f_inverted_ratio" in run.hints_of("test_public_c2f.py")
