"""Faults: a watcher killed mid-batch, and a grader that fails. Nothing is lost, nothing is posted as a 0.

A killed watcher's in-flight submission is handed out again by XQueue and graded exactly once. A grader fault
(here: a hidden suite that does not import) posts nothing: the submission stays in XQueue and is graded once
a healthy watcher takes it.

XQueue re-issues a pulled submission that got no result after ``SUBMISSION_PROCESSING_DELAY`` minutes
(1 by default). Our XQueue settings read that from ``ACTIVATION_LAB_XQUEUE_PROCESSING_DELAY_MIN``; this test
sets 0.1 (6 s) so the rule can be watched without waiting a minute. Nothing else is changed in XQueue.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import openedx_services as services
import pytest

REPO = Path(__file__).resolve().parents[1]
DELAY_MIN = 0.1

pytestmark = [pytest.mark.slow, pytest.mark.openedx]


def _slow_reference(exercise: str, seconds: float) -> str:
    # the reference, made slow at import: the watcher is sure to be grading it when it is killed
    reference = (REPO / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")
    return f"import time\ntime.sleep({seconds})\n{reference}"


def _wait_until(condition, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_killed_watcher_in_flight_submission_is_regraded_once(tmp_path):
    services.require_services()
    with services.running(watchers=1, processing_delay_min=DELAY_MIN, workdir=tmp_path) as (
        xqueue,
        watchers,
        lms,
    ):
        (first,) = watchers
        doomed = lms.submit(_slow_reference("relu", 4.0), services.payload("relu"))
        rest = [
            lms.submit((REPO / "solutions" / f"{e}.py").read_text(encoding="utf-8"), services.payload(e))
            for e in ("c2f", "sigmoid", "step", "tanh")
        ]
        assert _wait_until(
            lambda: xqueue.query("SELECT pull_time FROM queue_submission WHERE id = 1")[0][0], 60
        )
        time.sleep(0.5)  # inside the 4 s sleep of the grading child: the submission is in flight
        first.kill()
        (pulled_by_dead,) = xqueue.query("SELECT pullkey FROM queue_submission WHERE id = 1")[0]
        assert not lms.callbacks, "nothing was posted before the kill"

        second = services.Watcher(tmp_path / "watcher-second", xqueue).start()
        try:
            got = lms.wait_for([doomed, *rest], 120)
            # the re-issue happens only after the processing delay: wait past one more delay for a duplicate
            time.sleep(DELAY_MIN * 60 + 3)
            got = {path: list(lms.callbacks.get(path, [])) for path in [doomed, *rest]}
        finally:
            second.stop()

        assert all(len(calls) == 1 for calls in got.values()), {p[-30:]: len(c) for p, c in got.items()}
        assert all(calls[0].reply["score"] == 1.0 for calls in got.values())
        retired, pullkey, failures = xqueue.query(
            "SELECT retired, pullkey, num_failures FROM queue_submission WHERE id = 1"
        )[0]
        assert retired == 1 and failures == 0
        assert pullkey != pulled_by_dead, "the submission was pulled again by the second watcher"
        unanswered = xqueue.query("SELECT COUNT(*) FROM queue_submission WHERE retired = 0")[0][0]
        assert unanswered == 0


def test_grader_fault_posts_nothing_and_a_healthy_watcher_grades_it_later(tmp_path):
    services.require_services()
    broken = tmp_path / "broken-course"
    for folder in ("autograder", "solutions", "quizzes", "exercises"):
        shutil.copytree(REPO / folder, broken / folder)
    with (broken / "autograder" / "test_relu.py").open("a", encoding="utf-8") as suite:
        suite.write("\ndef broken(:\n")
    with services.running(watchers=0, processing_delay_min=DELAY_MIN, workdir=tmp_path / "run") as (
        xqueue,
        _,
        lms,
    ):
        faulty = services.Watcher(tmp_path / "watcher-faulty", xqueue, course=broken).start()
        try:
            path = lms.submit(
                (REPO / "solutions" / "relu.py").read_text(encoding="utf-8"), services.payload("relu")
            )
            assert _wait_until(lambda: "grader fault" in faulty.log_text(), 120), faulty.log_text()[-3000:]
        finally:
            faulty.stop()
        assert not lms.callbacks, "a grader fault must not reach the LMS"
        assert "test_relu.py does not import" in faulty.log_text()
        retired, failures = xqueue.query("SELECT retired, num_failures FROM queue_submission WHERE id = 1")[0]
        assert retired == 0 and failures == 0

        healthy = services.Watcher(tmp_path / "watcher-healthy", xqueue).start()
        try:
            calls = lms.wait_for([path], 120)[path]
            time.sleep(DELAY_MIN * 60 + 3)  # one more processing delay: no second callback
        finally:
            healthy.stop()
        calls = lms.callbacks[path]
        assert len(calls) == 1 and calls[0].reply["score"] == 1.0
