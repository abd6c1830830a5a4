"""What a beginner's terminal shows after ``pytest`` in the handout: one screen, the hints, the next step.

Every run is a real ``pytest`` subprocess in a copy of ``exercises/`` without the engine (see
``test_public_tests.run_public``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_public_tests import HANGUL, SLIDE_STEP, SOLUTIONS_DIR, run_public, student_folder

SCREEN = 40
FILES = ("c2f.py", "sigmoid.py", "step.py", "tanh.py", "relu.py", "plots.py")
HANGING = "def bipolar_step(x):\n    while True:\n        pass\n"


def summary_lines(output: str) -> list[str]:
    """The lines of the self-check's own section, from its title on."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "activation-lab" in line)
    return lines[start:]


def file_line(output: str, file: str) -> str:
    return next(line for line in summary_lines(output) if line.startswith(file + " "))


def test_untouched_stubs_fit_one_screen_and_name_the_next_step(tmp_path: Path) -> None:
    run = run_public(student_folder(tmp_path / "s"), lang="ko")
    lines = run.output.rstrip("\n").splitlines()
    assert len(lines) <= SCREEN, run.output
    for file in FILES:
        assert "아직 작성하지 않음" in file_line(run.output, file)
    assert "다음 단계: c2f.py" in run.output and "pytest test_public_c2f.py" in run.output
    assert "FAILED" not in run.output and "Traceback" not in run.output


def test_the_summary_comes_last_and_in_english_on_request(tmp_path: Path) -> None:
    run = run_public(student_folder(tmp_path / "s"), lang="en")
    tail = run.output.rstrip("\n").splitlines()[-3:]
    assert any(line.startswith("Next step: write") for line in tail), run.output
    assert not HANGUL.search("\n".join(summary_lines(run.output)))


def test_korean_is_the_course_default_whatever_the_locale(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "s")
    run = run_public(folder, lang="", extra_env={"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert "다음 단계" in run.output, run.output
    switched = run_public(folder, "--lang", "en", lang="", extra_env={"LANG": "ko_KR.UTF-8"})
    assert "Next step" in switched.output and "다음 단계" not in switched.output


def test_totals_stay_right_under_x(tmp_path: Path) -> None:
    run = run_public(student_folder(tmp_path / "s"), "-x", lang="en")
    assert "0/12 checks passed" in file_line(run.output, "c2f.py")
    assert "(11 not run: -x stopped early)" in file_line(run.output, "c2f.py")
    assert "0/17 checks passed" in file_line(run.output, "step.py")


def test_totals_count_the_selected_checks_under_k(tmp_path: Path) -> None:
    solutions = {"step.py": SOLUTIONS_DIR / "step.py"}
    run = run_public(student_folder(tmp_path / "s", solutions), "-k", "bipolar", lang="en")
    assert re.search(r"^step\.py +6/6 checks passed +all passed", run.output, re.M), run.output
    assert not any(line.startswith("c2f.py") for line in summary_lines(run.output))
    assert "Next step: run `pytest`" in run.output  # a narrowed run never claims the end


def test_a_file_being_worked_on_shows_its_first_failure_and_hints(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "s", {"c2f.py": SOLUTIONS_DIR / "c2f.py"})
    (folder / "step.py").write_text(SLIDE_STEP, encoding="utf-8")
    run = run_public(folder, lang="en")
    assert len(run.output.rstrip("\n").splitlines()) <= SCREEN, run.output
    assert "all passed" in file_line(run.output, "c2f.py")
    assert "ambiguous_truth" in file_line(run.output, "step.py")
    assert "First failed check in step.py" in run.output
    assert "if x >= 0" in run.output  # the student's own line
    assert "Next step: fix step.py" in run.output and "`pytest test_public_step.py`" in run.output


def test_details_on_demand_for_one_file_or_with_v(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "s")
    (folder / "step.py").write_text(SLIDE_STEP, encoding="utf-8")
    one_file = run_public(folder, "test_public_step.py", lang="en")
    verbose = run_public(folder, "-v", lang="en")
    for run in (one_file, verbose):
        assert run.output.count("hint [ambiguous_truth]") >= 3, run.output  # every failure in full
        assert run.output.rstrip("\n").splitlines()[-2].startswith("Next step: fix step.py")


def test_a_call_that_never_ends_is_stopped_and_named(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "s", {"step.py": SOLUTIONS_DIR / "step.py"})
    source = (SOLUTIONS_DIR / "step.py").read_text(encoding="utf-8")
    (folder / "step.py").write_text(source + "\n\n" + HANGING, encoding="utf-8")
    run = run_public(folder, "test_public_step.py", lang="en", extra_env={"ACTIVATION_LAB_TIME_LIMIT": "0.3"})
    assert "hint [timeout]: bipolar_step(3) did not finish within 0.3 s" in run.output, run.output
    assert "timeout" in file_line(run.output, "step.py")
    assert "step(3) = 1" in " ".join(run.passed)  # the other function is still checked


def test_a_module_that_hangs_at_import_is_stopped(tmp_path: Path) -> None:
    folder = student_folder(tmp_path / "s")
    (folder / "relu.py").write_text("while True:\n    pass\n", encoding="utf-8")
    run = run_public(folder, "test_public_relu.py", lang="en", extra_env={"ACTIVATION_LAB_TIME_LIMIT": "0.3"})
    assert "import relu did not finish within 0.3 s" in run.output, run.output


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_everything_right_says_what_comes_after(tmp_path: Path, lang: str) -> None:
    solutions = {f"{Path(f).stem}.py": SOLUTIONS_DIR / f for f in FILES}
    run = run_public(student_folder(tmp_path / "s", solutions), lang=lang)
    assert run.returncode == 0
    last = run.output.rstrip("\n").splitlines()[-2]
    assert ("answers.yaml" in last) and (("다음 단계" in last) == (lang == "ko")), run.output
