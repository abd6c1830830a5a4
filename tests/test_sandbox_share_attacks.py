"""A hostile review of the hand-over (one worker, exercise after exercise): what honest code leaves behind.

Each case below is something an honest student's ``a.py`` plausibly does through a library's own API
(not by patching a namespace): ``b.py`` must then meet what a worker of its own shows it, as in
``tests/test_sandbox_share.py``. Found by review (issue 9's hand-over); each failed before its fix in
``worker._changed`` / ``worker._shared_state`` / ``worker.run_worker``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from isolation_modes import mode_fixture

from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox.session import Limits, SubmissionSandbox

LIMITS = Limits(exercise_seconds=3.0, call_seconds=1.0)


mode = mode_fixture()


# what a.py sets through a library's documented API at import, and a question b.py answers with plain data
LIBRARY_STATE = {
    "decimal precision": (
        "import decimal\ndecimal.getcontext().prec = 3\n",
        "float(__import__('decimal').Decimal(1) / __import__('decimal').Decimal(7))",
    ),
    "decimal default context": (
        "import decimal\ndecimal.DefaultContext.prec = 5\n",
        "float(__import__('decimal').Decimal(1) / __import__('decimal').Decimal(7))",
    ),
    "logging configured": (
        "import logging\nlogging.basicConfig(level=logging.INFO)\n",
        "__import__('logging').info('hello from b') or len(__import__('logging').root.handlers)",
    ),
    "a library's logger": (
        "import logging\nlogging.getLogger('matplotlib').setLevel(logging.ERROR)\n",
        "__import__('logging').getLogger('matplotlib').level",
    ),
    "locale": (
        "import locale\nlocale.setlocale(locale.LC_ALL, 'C.UTF-8')\n",
        "int(__import__('locale').setlocale(__import__('locale').LC_ALL) == 'C')",
    ),
    "tracemalloc started": ("import tracemalloc\ntracemalloc.start()\n", "int('tracemalloc' in sys.modules)"),
    "csv field limit": ("import csv\ncsv.field_size_limit(10)\n", "__import__('csv').field_size_limit()"),
    "socket default timeout": (
        "import socket\nsocket.setdefaulttimeout(3)\n",
        "__import__('socket').getdefaulttimeout() or 0",
    ),
    "thread stack size": ("import threading\nthreading.stack_size(1 << 20)\n", "threading.stack_size()"),
    "thread profiler": (
        "import threading\nthreading.setprofile(lambda *a: None)\n",
        "int(threading.getprofile() is None)",
    ),
    "thread excepthook": (
        "import threading\nthreading.excepthook = lambda args: None\n",
        "int(threading.excepthook is threading.__excepthook__)",
    ),
    "gc callbacks": (
        "import gc\ngc.callbacks.append(lambda phase, info: print('a sees', phase))\n",
        "len(__import__('gc').callbacks)",
    ),
    "breakpoint hook": (
        "import sys\nsys.breakpointhook = lambda *a, **k: None\n",
        "int(sys.breakpointhook is sys.__breakpointhook__)",
    ),
    "gc debug flags": ("import gc\ngc.set_debug(gc.DEBUG_SAVEALL)\n", "__import__('gc').get_debug()"),
    "time zone": (
        "import os, time\nos.environ['TZ'] = 'Asia/Seoul'\ntime.tzset()\ndel os.environ['TZ']\n",
        "__import__('time').timezone",
    ),
}  # fmt: skip


def _probe(question: str, preloaded: bool = False) -> str:
    # a file that mentions matplotlib has the zygote import it (``session.preloads``), and with it decimal,
    # logging, locale ...: then those are loaded before any student code, and compared one by one
    mention = "# uses matplotlib\n" if preloaded else ""
    header = "import gc, os, sys, threading\nimport numpy as np\n\n"
    return f"{mention}{header}def probe():\n    return {question}\n"


def _answers(files: dict[str, str], mode: str) -> tuple[object, str, tuple[int, int, int]]:
    with SubmissionSandbox(files, LIMITS, mode) as box:
        if "a.py" in files:
            a = box.open("a")
            assert a.import_error is None, a.import_error
        result = box.open("b").call("probe")
        assert result.raised is None, result.raised
        return result.value, result.stdout, (box.refused, box.handed_on, len(box._spawned))


@pytest.mark.parametrize("preloaded", [False, True], ids=["numpy", "matplotlib"])
@pytest.mark.parametrize("kind", list(LIBRARY_STATE))
def test_library_state_set_through_its_own_api_never_reaches_the_next_exercise(
    mode: str, kind: str, preloaded: bool
) -> None:
    left, question = LIBRARY_STATE[kind]
    probe = _probe(question, preloaded)
    fresh_value, fresh_stdout, _ = _answers({"b.py": probe}, mode)
    value, stdout, counts = _answers({"a.py": left, "b.py": probe}, mode)
    assert (value, stdout) == (fresh_value, fresh_stdout)
    assert counts == (1, 0, 2)  # a fresh worker for b


SMALL_FIGURES = "import matplotlib.pyplot as plt\n\nplt.rcParams['figure.figsize'][0] = 3.0\n"
FIGURE_WIDTH = """import matplotlib.pyplot as plt


def probe():
    figure = plt.figure()
    width = float(figure.get_size_inches()[0])
    plt.close(figure)
    return width
"""


def test_a_list_setting_of_matplotlib_changed_in_place_never_reaches_the_next_exercise(mode: str) -> None:
    """Settings were compared by identity only: a list changed in place kept its id."""
    limits = Limits(exercise_seconds=10.0, call_seconds=5.0)  # matplotlib's first figure takes a while
    with SubmissionSandbox({"b.py": FIGURE_WIDTH}, limits, mode) as box:
        fresh = box.open("b").call("probe").value
    with SubmissionSandbox({"a.py": SMALL_FIGURES, "b.py": FIGURE_WIDTH}, limits, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        assert b.call("probe").value == fresh == 6.4
        assert (box.refused, box.handed_on) == (1, 0)


FINALIZES = """
class Noisy:
    def __del__(self):
        print("a's object finalized")

held = Noisy()


def f():
    return 1
"""
# gc.collect(): what any allocation-heavy call may trigger
COLLECTS = "import gc\n\ndef probe():\n    gc.collect()\n    return 1\n"


def test_the_last_exercises_module_is_never_finalized_in_the_next_exercise(mode: str) -> None:
    """a's module was released after the hand-over: a collection in b's call ran its finalizers there."""
    with SubmissionSandbox({"a.py": FINALIZES, "b.py": COLLECTS}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.call("f").value == 1
        result = b.call("probe")
        assert (result.value, result.stdout, b.import_stdout) == (1, "", "")
        assert box.handed_on == 1


LOGS_AT_IMPORT = 'import logging\nlogging.basicConfig(level=logging.INFO, format="%(message)s")\n'
LOGGING_SIGMOID = """import logging
import math


def sigmoid(x):
    logging.info("sigmoid(%s)", x)
    return 1 / (1 + math.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
"""


@pytest.mark.slow
def test_a_logging_submission_gets_the_same_report_with_hand_overs_on_and_off(tmp_path: Path) -> None:
    """c2f.py configures logging; sigmoid.py logs and raises: its feedback shows what it printed."""
    repo = Path(__file__).resolve().parents[1]
    folder = tmp_path / "student"
    folder.mkdir()
    for name in ("step", "tanh", "relu", "plots"):  # plots.py: matplotlib (and logging) preloaded
        (folder / f"{name}.py").write_text((repo / "solutions" / f"{name}.py").read_text("utf-8"), "utf-8")
    c2f = LOGS_AT_IMPORT + (repo / "solutions" / "c2f.py").read_text("utf-8")
    (folder / "c2f.py").write_text(c2f, "utf-8")
    (folder / "sigmoid.py").write_text(LOGGING_SIGMOID, "utf-8")
    reports = {}
    for share in ("1", "0"):
        out = tmp_path / f"out{share}"
        command = [sys.executable, "-m", "activation_lab", "grade", str(folder), "--out", str(out)]
        env = {**os.environ, sandbox.SHARE_ENV: share}
        subprocess.run(command, env=env, check=False, capture_output=True, timeout=300)
        reports[share] = (out / "student.json").read_text("utf-8")
    assert "sigmoid" in reports["0"]
    assert reports["1"] == reports["0"]


ECHOES = """
class Echo:
    def __init__(self, n):
        self.n = n
        self.me = self  # a cycle: only the collector frees it

    def __del__(self):
        print("echo", self.n)
        if self.n:
            Echo(self.n - 1)  # garbage made by a finalizer, during the hand-over's collection


Echo(2)
"""


def test_garbage_made_by_the_last_exercises_finalizers_is_not_left_to_the_next(mode: str) -> None:
    """One collection ran a's finalizers; what they left was collected in b's call, printing there."""
    with SubmissionSandbox({"a.py": ECHOES, "b.py": COLLECTS}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        result = b.call("probe")
        assert (result.value, result.stdout) == (1, "")
        assert (box.refused, box.handed_on, len(box._spawned)) == (1, 0, 2)


SHIM = "import numpy as np\n\nnp.float = float  # old code needs it: NumPy 1.24 removed the alias\n"
OLD_ALIAS = "import numpy as np\n\n\ndef probe():\n    return float(np.array([1, 2], dtype=np.float).sum())\n"


def test_a_compatibility_shim_in_numpy_never_makes_the_next_exercise_pass(mode: str) -> None:
    """An honest shim in a.py (not a patch meant to cheat) made b.py work only when it took a's worker."""
    with SubmissionSandbox({"b.py": OLD_ALIAS}, LIMITS, mode) as box:
        fresh = box.open("b").call("probe")
    assert fresh.raised is not None and fresh.raised.type == "AttributeError"
    with SubmissionSandbox({"a.py": SHIM, "b.py": OLD_ALIAS}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        result = b.call("probe")
        assert result.raised is not None and result.raised.type == "AttributeError"
        assert (box.refused, box.handed_on) == (1, 0)


NOISY_GARBAGE = """
class Noisy:
    def __init__(self):
        self.me = self  # a cycle: the collector frees it, when its counts say so

    def __del__(self):
        print("collected")


Noisy()
KEPT = []


def grow(i):
    KEPT.extend([] for _ in range(37))
    return len(KEPT)
"""


def _collected_in(files: dict[str, str], mode: str) -> list[object]:
    with SubmissionSandbox(files, LIMITS, mode) as box:
        if "a.py" in files:
            assert box.open("a").call("f").value == 1
        b = box.open("b")
        assert b.import_error is None, b.import_error
        seen: list[object] = ["import"] if "collected" in b.import_stdout else []
        seen += [i for i in range(40) if "collected" in b.call("grow", i).stdout]
        assert box.handed_on == (1 if "a.py" in files else 0)
        return seen


def test_an_exercises_own_garbage_is_collected_in_the_same_call_after_a_hand_over(mode: str) -> None:
    """The collector's counts differed (a hand-over collects, a fresh worker had allocated): b's finalizer
    printed in its 6th call in a worker of its own but in its 15th after a hand-over."""
    fresh = _collected_in({"b.py": NOISY_GARBAGE}, mode)
    assert fresh != []
    assert _collected_in({"a.py": "def f():\n    return 1\n", "b.py": NOISY_GARBAGE}, mode) == fresh


RECURSES = """
def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n


AT_IMPORT = depth(0)


def probe():
    return AT_IMPORT
"""


def test_the_next_exercise_is_imported_at_the_depth_of_a_fresh_worker(mode: str) -> None:
    """After a hand-over the import ran one frame deeper: a recursion at import reached 983 instead of 984."""
    with SubmissionSandbox({"b.py": RECURSES}, LIMITS, mode) as box:
        fresh = box.open("b").call("probe").value
    with SubmissionSandbox({"a.py": "X = 1\n", "b.py": RECURSES}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        assert b.call("probe").value == fresh
        assert box.handed_on == 1


# a's module keeps 12 MiB; b asks for 8 MiB less than a worker's cap (256 + 16 MiB)
HOLDS_A_TABLE = "import numpy as np\n\nTABLE = np.ones(12 << 17)\n\n\ndef f():\n    return 1\n"
NEAR_THE_LIMIT = "def probe():\n    return len(bytearray(264 << 20))\n"


@pytest.mark.xfail(
    strict=True,
    reason="known, not fixed: a worker's RLIMIT_AS is fixed when it starts (the seccomp filter forbids "
    "changing it), so an exercise after a hand-over has up to 16 MiB less room than in a worker of its own",
)
def test_an_exercise_near_the_memory_limit_fares_the_same_after_a_hand_over(mode: str) -> None:
    limits = Limits(exercise_seconds=5.0, call_seconds=3.0, memory_bytes=256 << 20)
    with SubmissionSandbox({"b.py": NEAR_THE_LIMIT}, limits, mode) as box:
        assert box.open("b").call("probe").value == 264 << 20  # a worker of its own has the room
    with SubmissionSandbox({"a.py": HOLDS_A_TABLE, "b.py": NEAR_THE_LIMIT}, limits, mode) as box:
        assert box.open("a").call("f").value == 1
        b = box.open("b")
        try:
            value = b.call("probe").value
        finally:
            assert box.handed_on == 1
        assert value == 264 << 20


def test_a_worker_takes_on_at_most_eight_exercises_even_when_asked_for_more(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """session.py said the worker had a bound of its own (``worker.MAX_MODULES``): it had none."""
    monkeypatch.setattr(sandbox, "MAX_EXERCISES_PER_WORKER", 20)
    files = {f"m{i}.py": "def f():\n    return 1\n" for i in range(10)}
    with SubmissionSandbox(files, LIMITS, mode) as box:
        assert [box.open(f"m{i}").call("f").value for i in range(10)] == [1] * 10
        assert (box.handed_on, box.refused, len(box._spawned)) == (8, 1, 2)
