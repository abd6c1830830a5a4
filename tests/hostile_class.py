"""Test support for hostile-class tests: honest neighbours and a class graded through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activation_lab.cli.main import main

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def honest_submission(parent: Path, name: str) -> Path:
    """A folder holding every reference file: a neighbour that must keep full marks."""
    folder = parent / name
    folder.mkdir(parents=True)
    for source in sorted(SOLUTIONS.glob("*.py")):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def grade_class(
    paths: list[Path], capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, dict[str, dict], str]:
    """``activation-lab grade PATHS --format json``: exit code, reports by submission, stderr."""
    code = main(["grade", *map(str, paths), "--format", "json", "--lang", "en", *options])
    captured = capsys.readouterr()
    reports = json.loads(captured.out) if captured.out.strip() else []
    return code, {report["submission"]: report for report in reports}, captured.err
