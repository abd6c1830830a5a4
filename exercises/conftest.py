"""pytest set-up for the public self-check: a readable summary per exercise file at the end of the run.

이 파일은 고치지 마세요. / Don't edit this file.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selfcheck_feedback import SelfCheckFailure, text

_OUTCOMES = pytest.StashKey[dict[str, list[tuple[bool, str | None]]]]()


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Start an empty record of outcomes for this run."""
    config.stash[_OUTCOMES] = defaultdict(list)


def _exercise_file(nodeid: str) -> str:
    test_file = Path(nodeid.split("::", 1)[0]).name  # test_public_step.py
    return test_file.removeprefix("test_public_").removesuffix(".py") + ".py"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Record, for the summary, whether each check passed and which misconception it showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    hint = None
    if call.excinfo is not None and isinstance(call.excinfo.value, SelfCheckFailure):
        hint = call.excinfo.value.hint
        report.user_properties.append(("hint", hint))
    item.config.stash[_OUTCOMES][_exercise_file(report.nodeid)].append((report.passed, hint))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Print one line per exercise: checks passed, 'not attempted yet', or the misconceptions seen."""
    outcomes = config.stash.get(_OUTCOMES, {})
    if not outcomes:
        return
    terminalreporter.section(text("summary.title"))
    for file in sorted(outcomes):
        results = outcomes[file]
        passed = sum(1 for ok, _ in results if ok)
        line = text("summary.line", file=file, passed=passed, total=len(results))
        hints = sorted({hint for ok, hint in results if not ok and hint})
        if passed == len(results):
            line += "  " + text("summary.all_passed")
        elif passed == 0 and hints == ["not_attempted"]:
            line += "  " + text("summary.not_attempted")
        elif hints:
            line += "  " + text("summary.hints", hints=", ".join(hints))
        terminalreporter.write_line(line)
    terminalreporter.write_line(text("summary.hidden"))
