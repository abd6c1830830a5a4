"""An otter plugin that grades before the student's script runs and rewrites otter's results from our report.

otter creates its plugins in its own process (not the kernel that runs the student's script) and calls
``before_grading`` before the script is executed: there the submission is graded in a fresh, isolated
interpreter, and the report stays in this process's memory. ``after_grading`` runs in the same process once
the kernel is done and replaces every test file's results with the outcomes in that report, with the test
names, points and hidden flags fixed when the autograder was generated. So nothing the script does in the
kernel (patching otter, rewriting files on disk, forging the cache, crashing) changes the score.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import otter.execute
import otter.execute.logging
from otter.plugins import AbstractOtterPlugin
from otter.test_files import GradingResults
from otter.test_files.abstract_test import TestCase, TestCaseResult
from otter.test_files.exception_test import ExceptionTestFile

from activation_lab.i18n import message, render
from activation_lab.integrations.otter.kernel import (
    DOMAIN,
    BridgeFailure,
    cached_report,
    find_course,
    verdict_for,
)
from activation_lab.integrations.otter.upload import UPLOAD_DIRNAME


class _KernelResultsIgnored:
    """Stands in for ``pickle`` in ``otter.execute``: the kernel's pickled results are never loaded."""

    @staticmethod
    def load(file: Any) -> Any:
        """An empty result set; ``after_grading`` fills it from our report."""
        return GradingResults([])


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles only plain data (dicts, strings, numbers): no class or function can be named."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _plain_log_record(handler: Any, data: bytes) -> dict[str, Any]:
    try:
        record = _PlainDataUnpickler(io.BytesIO(data)).load()
    except Exception:
        return {"msg": "(a log record that was not plain data was dropped)"}
    return record if isinstance(record, dict) else {"msg": repr(record)[:200]}


def close_pickle_routes() -> None:
    """Stop otter's process from unpickling what its kernel sends: the results file and the log records.

    otter loads the results the kernel pickled and unpickles log records from a socket; a script running in
    the kernel can make either run code here. With the plugin the kernel's results are not needed at all,
    and log records are plain dictionaries. Patches two internals of otter-grader 7 (tested with 7.0.0).
    """
    if hasattr(otter.execute, "pickle"):
        otter.execute.pickle = _KernelResultsIgnored
    handler = getattr(otter.execute.logging, "LogRecordStreamHandler", None)
    if handler is not None and hasattr(handler, "unpickle"):
        handler.unpickle = _plain_log_record


class ActivationLabPlugin(AbstractOtterPlugin):  # type: ignore[misc]
    """Grade in ``before_grading``; make otter's results equal our report in ``after_grading``."""

    def __init__(self, submission_path: str | None, submission_metadata: Any, plugin_config: Any) -> None:
        super().__init__(submission_path, submission_metadata, plugin_config)
        config = plugin_config or {}
        self.lang = str(config.get("lang", "en"))
        self.seed = int(config.get("seed", 0))
        self.course_dirname = str(config.get("course_dirname", ""))
        self.exercises: list[dict[str, Any]] = list(config.get("exercises", []))
        self.report: dict[str, Any] | None = None
        self.failure: str | None = None

    def before_grading(self, config: Any) -> None:
        """Grade the submission file now, before otter executes it (called in otter's own process)."""
        close_pickle_routes()
        submission = Path(self.submission_path)
        gathered = submission.parent / UPLOAD_DIRNAME
        if gathered.is_dir():  # a multi-file upload gathered by run_otter.py: grade all of it, quiz included
            submission = gathered
        try:
            find_course(submission.parent, self.course_dirname)
            self.report = cached_report(
                submission.parent, self.course_dirname, lang=self.lang, seed=self.seed, submission=submission
            )
        except BridgeFailure as failure:
            self.failure = render(failure.message, self.lang)

    def after_grading(self, results: Any) -> None:
        """Replace otter's results: one test file per exercise, each test case's outcome from our report."""
        results.clear_results()
        # What happened in the kernel (a crash, a forged pickle that did not load) does not decide our grade.
        results._catastrophic_error = None
        for exercise in self.exercises:
            cases = [
                TestCase(
                    name=name,
                    body=None,
                    hidden=hidden,
                    points=points,
                    success_message=None,
                    failure_message=None,
                )
                for name, points, hidden in exercise["tests"]
            ]
            test_file = ExceptionTestFile(
                exercise["id"], f"tests/{exercise['id']}.py", cases, all_or_nothing=False
            )
            test_file.test_case_results = [self._result(exercise["id"], case) for case in cases]
            results.results[exercise["id"]] = test_file

    def _result(self, exercise_id: str, case: TestCase) -> TestCaseResult:
        if self.report is None:
            verdict: str | None = self.failure or message(DOMAIN, "grader.failed", self.lang, detail="?")
        else:
            verdict = verdict_for(self.report, exercise_id, case.name, self.lang)
        if verdict is None:
            return TestCaseResult(
                test_case=case, message=message(DOMAIN, "plugin.passed", self.lang), passed=True
            )
        text = message(DOMAIN, "plugin.failed", self.lang, feedback=verdict)
        return TestCaseResult(test_case=case, message=text, passed=False)
