"""Collect each hidden suite once per process: pytest finds its tests and markers, kept as plain records.

Grading a submission then calls the collected test functions directly with the runner's fixtures
(``suites.py``) instead of starting a pytest session per submission, which cost most of the trusted CPU. The
suites stay ordinary pytest files: collection is pytest's own (markers, ``parametrize``, module import), and
a test that needs anything beyond the runner's fixtures and direct ``parametrize`` arguments (a fixture of
its own, ``request``, ``usefixtures`` of another fixture, an indirect parameter, a test class) marks its
suite as needing the full pytest session, which is still used for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from activation_lab.errors import CourseError

MARKERS = (
    "points(n): the points a hidden test is worth",
    "title(en, ko): the bilingual name of a hidden test shown to students",
    "public: the test shows expected values in its feedback (tests are hidden by default)",
    "advice: the test gives advice only, worth 0 points, and never fails",
)
# The fixtures the runner gives the suites (suites.py defines what they are).
RUNNER_FIXTURES = frozenset({"student", "reference", "check", "rng"})
# Plugins the hidden suites do not need; each costs time in every pytest session.
DISABLED_PLUGINS = (
    "cacheprovider",
    "randomly",
    "terminal",
    "warnings",  # a warning never fails a test; StudentCode records them per call
    "logging",
    "faulthandler",
    "doctest",
    "junitxml",
    "pastebin",
    "stepwise",
    "legacypath",
    "unittest",
    "debugging",
    "skipping",
    "tmpdir",
    "monkeypatch",
    "recwarn",
    "setuponly",
    "setupplan",
    "subtests",
    # these two run gc.collect() several times per session (~90 ms); the suites start no threads
    "unraisableexception",
    "threadexception",
)
PYTEST_ARGS = (
    *(arg for plugin in DISABLED_PLUGINS for arg in ("-p", f"no:{plugin}")),
    "--disable-plugin-autoload",
    "--noconftest",
    "--import-mode=importlib",
    "--assert=plain",
    "--capture=no",
    "-o",
    "addopts=",
    "-o",
    "python_files=test_*.py",
    "-o",
    "python_functions=test_*",
)


def pytest_args(course_root: Path, paths: list[str], *extra: str) -> list[str]:
    """The arguments of a grading pytest session: no plugin, conftest or configuration of the course."""
    return [*PYTEST_ARGS, *extra, "-c", os.devnull, "--rootdir", str(course_root), *paths]


# ----------------------------------------------------------------------------------------------------
# Trusted modules (suites and reference solutions) imported once per process
# ----------------------------------------------------------------------------------------------------


def _import_by_path(path: Path, prefix: str) -> ModuleType:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"_activation_lab_{prefix}_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise CourseError(f"{path} does not import: {type(exc).__name__}: {exc}") from exc
    return module


@cache
def cached_module(path: str, mtime_ns: int, prefix: str) -> ModuleType:
    """The module at ``path`` imported under a name unique to the path; imported again when it changes."""
    return _import_by_path(Path(path), prefix)


def load_suite(path: Path) -> ModuleType:
    """A hidden suite imported by file path, cached until the file changes."""
    return cached_module(str(path.resolve()), path.stat().st_mtime_ns, "suite")


class SuiteModule(pytest.Module):
    """A suite module imported under a name unique to its path: suites of two course copies never collide."""

    def _getobj(self) -> ModuleType:
        return load_suite(self.path)


# ----------------------------------------------------------------------------------------------------
# What collection keeps of a test
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuiteTest:
    """One collected test: its function, arguments and markers, as plain data."""

    nodeid: str
    name: str
    exercise: Any  # the module's EXERCISE (validated against the run when grading)
    function: Callable[..., Any] | None
    argnames: tuple[str, ...]
    params: Mapping[str, Any]  # direct ``parametrize`` arguments
    advice: bool
    points: float | None
    title: Mapping[str, str] | None  # the ``title`` marker's keyword arguments
    param_id: str | None
    public: bool
    direct: bool  # whether the runner can call it without a pytest session


def _fixture_function(item: pytest.Function, name: str) -> Any:
    definitions = item._fixtureinfo.name2fixturedefs.get(name) or ()
    return getattr(definitions[-1], "func", None) if definitions else None


def _runs_directly(item: pytest.Function, runner: Any) -> bool:
    """Whether ``item`` needs only the runner's own fixtures and direct ``parametrize`` arguments."""
    from _pytest.python import get_direct_param_fixture_func

    if getattr(item, "cls", None) is not None:  # pytest makes a fresh instance of a test class per run
        return False
    callspec = getattr(item, "callspec", None)
    params = dict(callspec.params) if callspec is not None else {}
    direct = {n for n in params if _fixture_function(item, n) is get_direct_param_fixture_func}
    if set(params) - direct:  # indirect parametrization goes through a fixture of the suite
        return False
    for name in item.fixturenames:
        if name in direct or (name == "request" and name not in item._fixtureinfo.argnames):
            continue
        function = _fixture_function(item, name)
        if name not in RUNNER_FIXTURES or getattr(function, "__self__", None) is not runner:
            return False
    return True


def suite_test(item: pytest.Item, runner: Any) -> SuiteTest:
    """The record of a collected item; ``runner`` is the plugin whose fixtures it was collected with."""
    module = getattr(item, "module", None)
    points_marker = item.get_closest_marker("points")
    title_marker = item.get_closest_marker("title")
    callspec = getattr(item, "callspec", None)
    test_function = item if isinstance(item, pytest.Function) else None
    return SuiteTest(
        nodeid=item.nodeid,
        name=item.name,
        exercise=getattr(module, "EXERCISE", None),
        function=test_function.obj if test_function is not None else None,
        argnames=tuple(test_function._fixtureinfo.argnames) if test_function is not None else (),
        params=dict(callspec.params) if callspec is not None else {},
        advice=item.get_closest_marker("advice") is not None,
        points=float(points_marker.args[0]) if points_marker is not None and points_marker.args else None,
        title=dict(title_marker.kwargs) if title_marker is not None else None,
        param_id=callspec.id if callspec is not None else None,
        public=item.get_closest_marker("public") is not None,
        direct=test_function is not None and _runs_directly(test_function, runner),
    )


@dataclass(frozen=True, slots=True)
class Collection:
    """The tests of one suite file in pytest's order, and what went wrong collecting it."""

    tests: tuple[SuiteTest, ...]
    errors: tuple[str, ...]


class SuitePlugin:
    """What every pytest session over the hidden suites needs, collecting here or grading (``suites.py``):
    the course's markers, each suite module loaded once per process (``SuiteModule``), and a suite that does
    not collect recorded in ``course_errors`` (the session goes on with the others)."""

    course_errors: list[str]

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: Any) -> pytest.Module:
        return SuiteModule.from_parent(parent, path=module_path)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.course_errors.append(
                f"suite {report.nodeid} does not collect: {report.longreprtext[-2000:]}"
            )


class _Collector(SuitePlugin):
    """A collect-only session's plugin: the runner's fixtures by name (never called), records of the items."""

    def __init__(self) -> None:
        self.tests: list[SuiteTest] = []
        self.paths: list[str] = []  # the file of each test, when several suites are collected at once
        self.course_errors: list[str] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.tests.extend(suite_test(item, self) for item in items)
        self.paths.extend(str(Path(item.path).resolve()) for item in items)

    # Stand-ins with the runner's fixture names and dependencies, so that collection resolves them as it
    # does in a grading session; the runner supplies the real values.
    @pytest.fixture
    def student(self) -> None:
        """The student's code of this suite's exercise."""

    @pytest.fixture
    def reference(self) -> None:
        """The reference solution module of this suite's exercise."""

    @pytest.fixture
    def check(self, student: None, reference: None) -> None:
        """The checker comparing this suite's student with the reference."""

    @pytest.fixture
    def rng(self) -> None:
        """A random generator derived from the run's seed and the test's name."""


@cache
def _collect(path: str, mtime_ns: int, size: int, course_root: str) -> Collection:
    collector = _Collector()
    captured = io.StringIO()
    args = pytest_args(Path(course_root), [path], "--collect-only")
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        exit_code = pytest.main(args, plugins=[collector])
    errors = collector.course_errors
    if exit_code == pytest.ExitCode.INTERRUPTED and not errors:
        raise KeyboardInterrupt
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED) and not errors:
        raise CourseError(
            f"pytest could not collect {path} (exit {int(exit_code)}): {captured.getvalue()[-2000:]}"
        )
    return Collection(tuple(collector.tests), tuple(errors))


def _suite_key(path: Path, course_root: Path) -> tuple[str, int, int, str]:
    found = path.stat()  # one stat: a run grading a class checks every suite per submission
    if not stat.S_ISREG(found.st_mode):
        raise CourseError(f"hidden suite {path} is not a file")
    return str(path), found.st_mtime_ns, found.st_size, str(course_root)


# Suites collected together (collect_suites), by the key of _collect; at most a few per course version.
_TOGETHER: dict[tuple[str, int, int, str], Collection] = {}
MAX_TOGETHER = 256


def collect_suite(path: Path, course_root: Path) -> Collection:
    """The tests of one suite file, collected once per process and again only when the file changes."""
    key = _suite_key(path, course_root)
    together = _TOGETHER.get(key)
    return together if together is not None else _collect(*key)


def collect_suites(paths: list[Path], course_root: Path) -> list[Collection]:
    """:func:`collect_suite` of each path, those not collected yet in one pytest session for all of them.

    Each pytest session costs ~10 ms of set-up (a cold single run collects five or six suites). The records
    are the same as one session per file gives: a test's node id, markers, parameters and fixtures belong to
    its own module (no conftest is read). When that session reports any problem, each suite is collected on
    its own instead, so a broken suite says what it always said.
    """
    return _collect_keys([_suite_key(path, course_root) for path in paths], course_root)


def collect_files(paths: list[Path], course_root: Path) -> list[Collection] | None:
    """:func:`collect_suites` when every path is a regular file (``None`` when one is not), one stat each."""
    try:
        keys = [_suite_key(path, course_root) for path in paths]
    except (OSError, ValueError, CourseError):
        return None
    return _collect_keys(keys, course_root)


def _collect_keys(keys: list[tuple[str, int, int, str]], course_root: Path) -> list[Collection]:
    missing = list(dict.fromkeys(key for key in keys if key not in _TOGETHER))
    if len(missing) > 1 and len(_TOGETHER) + len(missing) <= MAX_TOGETHER:
        found = _collect_together([key[0] for key in missing], course_root)
        if found is not None:
            _TOGETHER.update(zip(missing, found, strict=True))
    collections = []
    for key in keys:  # collect_suite's lookup, with the key already made
        together = _TOGETHER.get(key)
        collections.append(together if together is not None else _collect(*key))
    return collections


def _collect_together(paths: list[str], course_root: Path) -> list[Collection] | None:
    """One collect-only session over ``paths``: each file's collection, or ``None`` if anything went wrong."""
    collector = _Collector()
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        exit_code = pytest.main(pytest_args(course_root, paths, "--collect-only"), plugins=[collector])
    if exit_code == pytest.ExitCode.INTERRUPTED and not collector.course_errors:
        raise KeyboardInterrupt
    if collector.course_errors or exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return None
    files = [str(Path(path).resolve()) for path in paths]
    if len(set(files)) != len(files) or not set(collector.paths) <= set(files):
        return None
    by_file: dict[str, list[SuiteTest]] = {file: [] for file in files}
    for test, file in zip(collector.tests, collector.paths, strict=True):
        by_file[file].append(test)
    return [Collection(tuple(by_file[file]), ()) for file in files]
