"""Scenario folders: a submission and the report it must get (golden file), compared field by field.

Each ``tests/scenarios/<name>/`` holds one input named ``submission`` (a folder, ``.zip`` or ``.ipynb``) and
``expected.json``. After a deliberate change of the suites, feedback or quizzes, regenerate the goldens with
``python -m pytest tests/test_grading_scenarios.py --update-goldens`` and review the diff before committing.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from activation_lab.grading.grade import grade_path
from activation_lab.reports.report import dumps_report, report_to_json, without_volatile

SCENARIOS = Path(__file__).with_name("scenarios")
# Facts of the machine or release, not of the submission: left out of the comparison.
MACHINE_FIELDS = ("isolation", "engine_version", "quiz_version", "suite_hash")


def _input(folder: Path) -> Path:
    inputs = [p for p in folder.iterdir() if p.stem == "submission"]
    assert len(inputs) == 1, f"{folder} must hold exactly one input named submission[.zip|.ipynb]"
    return inputs[0]


def _comparable(report: dict) -> dict:
    data = without_volatile(report)
    for field in MACHINE_FIELDS:
        data.pop(field, None)
    return data


@pytest.mark.parametrize("scenario", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_scenario_matches_its_golden_report(scenario, grading_context, update_goldens) -> None:
    folder = SCENARIOS / scenario
    got = _comparable(report_to_json(grade_path(_input(folder), grading_context), "en"))
    golden = folder / "expected.json"
    if update_goldens:
        golden.write_text(dumps_report(got), encoding="utf-8")
        return
    assert golden.is_file(), f"no golden for {scenario}: run pytest --update-goldens and review it"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    if got != expected:
        diff = difflib.unified_diff(
            dumps_report(expected).splitlines(),
            dumps_report(got).splitlines(),
            "expected.json",
            "got",
            lineterm="",
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"{scenario} differs from its golden (pytest --update-goldens if intended):\n{shown}")


def test_every_scenario_has_a_golden() -> None:
    folders = [p for p in SCENARIOS.iterdir() if p.is_dir()]
    assert len(folders) >= 5
    assert all((p / "expected.json").is_file() for p in folders)
