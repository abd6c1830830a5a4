"""pytest set-up for the public self-check: one screen at the end of the run, details on demand.

이 파일은 고치지 마세요. / Don't edit this file.

A plain ``pytest`` prints one line per exercise file, the hints that matter and one "next step" line.
``pytest -v`` (or naming one file: ``pytest test_public_step.py``) shows every failed check in full.
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")  # plots.py draws off screen: no window pops up during pytest

from selfcheck_feedback import EXERCISE_FILES, SelfCheckFailure, text

# How many distinct hints the default summary shows; each is one (long) line.
HINTS_SHOWN = 3


@dataclass
class FileRecord:
    """What happened to the checks of one exercise file in this run."""

    selected: int = 0
    passed: int = 0
    failed: list[tuple[str | None, str]] = field(default_factory=list)  # (hint key, failure text)

    @property
    def run(self) -> int:
        return self.passed + len(self.failed)

    @property
    def not_attempted(self) -> bool:
        return bool(self.failed) and self.passed == 0 and all(h == "not_attempted" for h, _ in self.failed)


_RECORDS = pytest.StashKey[dict[str, FileRecord]]()
_DETAILED = pytest.StashKey[bool]()


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    """``--lang ko|en``: the language of the messages (default: the course's, Korean)."""
    parser.addoption("--lang", choices=("ko", "en"), default=None, help="message language / 메시지 언어")
    parser.addoption("--notebook", action="store_true", help="run from the notebook edition (brief, next step there)")


def _exercise_file(nodeid: str) -> str:
    test_file = Path(nodeid.split("::", 1)[0]).name  # test_public_step.py
    return test_file.removeprefix("test_public_").removesuffix(".py") + ".py"


def _asked_for_one_file(config) -> bool:  # type: ignore[no-untyped-def]
    """``pytest test_public_step.py``: the student is working on that file and wants its details."""
    args = [a for a in config.args if not a.startswith("-")]
    return bool(args) and all(Path(a.split("::", 1)[0]).name.startswith("test_public_") for a in args)


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Quiet by default: no tracebacks, no list of FAILED lines; our summary says it all on one screen."""
    if config.getoption("lang"):
        os.environ["ACTIVATION_LAB_LANG"] = config.getoption("lang")
    config.stash[_RECORDS] = {}
    notebook = config.getoption("notebook")
    detailed = not notebook and (config.option.verbose > 0 or _asked_for_one_file(config))
    config.stash[_DETAILED] = detailed
    config.option.reportchars = ""  # the FAILED list would push the summary off the screen
    if not detailed:
        config.option.tbstyle = "no"
        config.option.verbose = min(config.option.verbose, -1)  # no header, one progress line per file


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    """Nothing: the header names plugins and paths a beginner does not need."""
    return None


def pytest_collection_finish(session):  # type: ignore[no-untyped-def]
    """Count the selected checks per file (after ``-k``), so ``-x`` cannot shrink the totals."""
    records = session.config.stash[_RECORDS]
    for item in session.items:
        records.setdefault(_exercise_file(item.nodeid), FileRecord()).selected += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Record, for the summary, whether each check passed, which misconception it showed, and its text."""
    outcome = yield
    report = outcome.get_result()
    if (report.when != "call" and not report.failed) or report.skipped:
        return
    record = item.config.stash[_RECORDS].setdefault(_exercise_file(report.nodeid), FileRecord())
    if report.passed:
        record.passed += 1
        return
    hint = None
    if call.excinfo is not None and isinstance(call.excinfo.value, SelfCheckFailure):
        hint = call.excinfo.value.hint
        report.user_properties.append(("hint", hint))
        detail = str(call.excinfo.value.msg)
    else:
        detail = str(report.longreprtext).strip().splitlines()[-1] if report.longreprtext else ""
    record.failed.append((hint, detail))


def _file_line(file: str, record: FileRecord) -> str:
    line = text("summary.line", file=file, passed=record.passed, total=record.selected)
    if record.run < record.selected:
        line += "  " + text("summary.not_run", count=record.selected - record.run)
    if record.selected and record.passed == record.selected:
        return line + "  " + text("summary.all_passed")
    if record.not_attempted:
        return line + "  " + text("summary.not_attempted")
    hints = sorted({h for h, _ in record.failed if h and h != "not_attempted"})
    if hints:
        line += "  " + text("summary.hints", hints=", ".join(hints))
    return line


def _ordered(records: dict[str, FileRecord]) -> list[str]:
    """Exercise files in the lecture's order (c2f first), then any others."""
    known = [f for f in EXERCISE_FILES if f in records]
    return known + sorted(f for f in records if f not in known)


def _focus(records: dict[str, FileRecord]) -> str | None:
    """The file to work on next: the first one started but not finished, else the first not started."""
    unfinished = [f for f in _ordered(records) if records[f].failed]
    started = [f for f in unfinished if not records[f].not_attempted]
    return (started or unfinished or [None])[0]


def _functions_to_write(file: str, record: FileRecord) -> str:
    """The functions of a not-attempted file, in the file's order, e.g. ``activate, C2F``."""
    named = [d.splitlines()[0].split(":", 1)[-1].strip().split("(", 1)[0] for _, d in record.failed if d]
    try:
        tree = ast.parse((Path(__file__).resolve().parent / file).read_text(encoding="utf-8"))
        order = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    except (OSError, SyntaxError, ValueError):
        order = []
    ordered = [name for name in order if name in named] + [n for n in dict.fromkeys(named) if n not in order]
    return ", ".join(ordered) or "?"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """One line per file, the first failure of the file being worked on, its hints, and the next step."""
    records = config.stash.get(_RECORDS, {})
    if not records:
        return
    write = terminalreporter.write_line
    terminalreporter.section(text("summary.title"))
    for file in _ordered(records):
        write(_file_line(file, records[file]))
    write(text("summary.hidden"))
    focus = _focus(records)
    if focus is not None and not records[focus].not_attempted:
        record = records[focus]
        hint, detail = next(((h, d) for h, d in record.failed if h != "not_attempted"), record.failed[0])
        if not config.stash[_DETAILED]:
            write("")
            write(text("summary.first_failure", file=focus))
            for line in detail.splitlines():
                write("  " + line)
        others = sorted({h for h, _ in record.failed if h and h not in ("not_attempted", hint)})
        for key in others[: HINTS_SHOWN - 1]:
            write("  " + _hint_line(key, record))
    write("")
    write(_next_step(records, focus, config))


def _hint_line(key: str, record: FileRecord) -> str:
    """The hint line of the first failure that showed misconception ``key``."""
    for hint, detail in record.failed:
        if hint == key:
            return next((line.strip() for line in detail.splitlines() if f"[{key}]" in line), key)
    return key


def _next_step(records: dict[str, FileRecord], focus: str | None, config) -> str:  # type: ignore[no-untyped-def]
    """The one thing to do now."""
    notebook = config.getoption("notebook")
    if focus is None:
        if notebook:
            return text("next.done_notebook")
        narrowed = _asked_for_one_file(config) or bool(config.option.keyword) or bool(config.option.markexpr)
        partial = narrowed or any(r.run < r.selected for r in records.values())
        return text("next.run_all" if partial else "next.done")
    test_file = f"test_public_{focus}"
    if notebook:
        return text("next.notebook", file=focus)
    if records[focus].not_attempted:
        functions = _functions_to_write(focus, records[focus])
        return text("next.start", file=focus, function=functions, test_file=test_file)
    if config.stash[_DETAILED]:
        return text("next.fix_detailed", file=focus, test_file=test_file)
    return text("next.fix", file=focus, test_file=test_file)
