"""A watcher killed mid-batch: XQueue hands its in-flight submission out again, and it is graded exactly once.

XQueue re-issues a pulled submission that got no result after ``SUBMISSION_PROCESSING_DELAY`` minutes
(1 by default). Our XQueue settings read that from ``ACTIVATION_LAB_XQUEUE_PROCESSING_DELAY_MIN``; this test
sets 0.1 (6 s) so the rule can be watched without waiting a minute. Nothing else is changed in XQueue.
"""

from __future__ import annotations

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
