"""The self-check's per-call time limit in process: the alarm path and the thread path (Windows)."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def selfcheck():
    spec = importlib.util.spec_from_file_location(
        "_selfcheck_feedback_under_test", REPO / "exercises" / "selfcheck_feedback.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


STOP = threading.Event()  # ends the abandoned helper threads when the module's tests are done


@pytest.fixture(autouse=True, scope="module")
def _stop_loops():
    yield
    STOP.set()


def _forever() -> None:
    while not STOP.is_set():
        time.sleep(0.01)


def test_the_alarm_stops_a_call_on_the_main_thread(selfcheck) -> None:
    with pytest.raises(TimeoutError):
        selfcheck.run_with_time_limit(_forever, (), 0.2)
    assert selfcheck.run_with_time_limit(lambda x: x + 1, (1,), 0.2) == (2, None)


def test_errors_are_data_not_timeouts(selfcheck) -> None:
    value, error = selfcheck.run_with_time_limit(lambda: 1 / 0, (), 1.0)
    assert value is None and isinstance(error, ZeroDivisionError)


def test_off_the_main_thread_a_helper_thread_is_abandoned(selfcheck) -> None:
    outcome: list[object] = []

    def run() -> None:
        try:
            selfcheck.run_with_time_limit(_forever, (), 0.2)
        except TimeoutError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and len(outcome) == 1


@pytest.mark.parametrize(("setting", "seconds"), [("0.5", 0.5), ("not a number", 5.0), (None, 5.0)])
def test_the_limit_comes_from_the_environment_or_the_course(selfcheck, monkeypatch, setting, seconds) -> None:
    if setting is None:
        monkeypatch.delenv("ACTIVATION_LAB_TIME_LIMIT", raising=False)
    else:
        monkeypatch.setenv("ACTIVATION_LAB_TIME_LIMIT", setting)
    assert selfcheck.time_limit() == seconds
