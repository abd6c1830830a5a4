"""One worker for a submission's exercises in turn, and what one exercise may leave for the next (issue 9).

An exercise takes on the previous exercise's worker (``SandboxedStudent._take_over``) only when the worker
finds nothing left behind (``worker._changed``); otherwise a fresh worker starts. Each case below leaves
something in ``a.py``'s import and asks, from ``b.py``, what a fresh worker would answer: the answer must
be the same as in a submission without ``a.py``. The control cases hand the worker on and must give that
same answer too. Whatever goes wrong before the worker has taken on the next exercise is never charged to
it.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from isolation_modes import available, mode_fixture

from activation_lab.errors import ExerciseAborted
from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox.session import Limits, SubmissionSandbox

LIMITS = Limits(exercise_seconds=3.0, call_seconds=1.0)
# an a.py that burns 1.2 s of CPU at import needs room on a loaded machine (its wall time is budgeted)
ROOMY = Limits(exercise_seconds=15.0, call_seconds=1.0)


mode = mode_fixture()


# what a.py leaves behind at import, and a question b.py answers with a number
LEFTOVERS = {
    "numpy errors": ("import numpy as np\nnp.seterr(all='raise')\n", "int(np.geterr()['divide'] == 'warn')"),
    "numpy printing": (
        "import numpy as np\nnp.set_printoptions(precision=2)\n",
        "np.get_printoptions()['precision']",
    ),
    "numpy random": ("import numpy as np\nnp.random.seed(1)\n", "int('numpy.random' in sys.modules)"),
    "excepthook": ("import sys\nsys.excepthook = print\n", "int(sys.excepthook is sys.__excepthook__)"),
    "recursion limit": ("import sys\nsys.setrecursionlimit(321)\n", "sys.getrecursionlimit()"),
    "sys.path": ("import sys\nsys.path.append('/tmp')\n", "len(sys.path)"),
    "stdout": ("import io, sys\nsys.stdout = io.StringIO()\n", "int(type(sys.stdout) is io.StringIO)"),
    "thread": (
        "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n",
        "threading.active_count()",
    ),
    "alarm": ("import signal\nsignal.alarm(30)\n", "signal.alarm(0)"),
    "signal handler": (
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\n",
        "int(signal.getsignal(signal.SIGXCPU) is signal.SIG_DFL)",
    ),
    "working folder": ("import os\nos.chdir('/')\n", "int(os.getcwd() == '/')"),
    "environment": ("import os\nos.environ['LEFT'] = '1'\n", "int('LEFT' in os.environ)"),
    "umask": ("import os\nos.umask(0)\n", "(lambda m: os.umask(m) or m)(os.umask(0o22))"),
    "open file": ("import sys\nsys.left = open(__file__)\n", "int(hasattr(sys, 'left'))"),
    "memory": ("import sys\nsys.held = bytearray(64 << 20)\n", "int(hasattr(sys, 'held'))"),
    "figure": (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.figure()\n",
        "len(__import__('matplotlib.pyplot').pyplot.get_fignums())",
    ),
    "numpy name": ("import numpy as np\nnp.float = float\n", "int(hasattr(np, 'float'))"),
    "builtins name": ("import builtins\nbuiltins.shim = 1\n", "int(hasattr(__import__('builtins'), 'shim'))"),
    "library imported": ("import sched\n", "int('sched' in sys.modules)"),
    "cpu time": (
        "import time\nend = time.process_time() + 1.2\nwhile time.process_time() < end:\n    pass\n",
        "int(resource.getrusage(resource.RUSAGE_SELF).ru_utime > 1)",
    ),
}  # fmt: skip
# (warning filters set at import or in a call are undone by the worker itself: ``warnings.catch_warnings``)
CLEAN = "import numpy as np\nimport warnings, sys\nX = np.arange(3)\nwarnings.warn('only a warning')\n"


def _probe(question: str) -> str:
    return (
        "import io, os, resource, signal, sys, threading, warnings\nimport numpy as np\n\n"
        f"def probe():\n    return {question}\n"
    )


def _alone(question: str, mode: str) -> object:
    with SubmissionSandbox({"b.py": _probe(question)}, LIMITS, mode) as box:
        return box.open("b").call("probe").value


@pytest.mark.parametrize("kind", list(LEFTOVERS))
def test_what_an_exercise_leaves_behind_never_reaches_the_next(mode: str, kind: str) -> None:
    left, question = LEFTOVERS[kind]
    fresh = _alone(question, mode)
    limits = ROOMY if kind == "cpu time" else LIMITS
    with SubmissionSandbox({"a.py": left, "b.py": _probe(question)}, limits, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        result = b.call("probe")
        assert result.raised is None, result.raised
        assert result.value == fresh
        assert (box.refused, box.handed_on, len(box._spawned)) == (1, 0, 2)


@pytest.mark.parametrize("kind", list(LEFTOVERS))
def test_a_clean_exercise_hands_its_worker_on_and_the_next_meets_a_fresh_state(mode: str, kind: str) -> None:
    question = LEFTOVERS[kind][1]
    fresh = _alone(question, mode)
    with SubmissionSandbox({"a.py": CLEAN, "b.py": _probe(question)}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        assert b.call("probe").value == fresh
        assert (box.refused, box.handed_on, len(box._spawned)) == (0, 1, 1)


HELPER = {
    "helper.py": "SEEN = []\n",
    "a.py": "import helper\nhelper.SEEN.append('a')\n\ndef f():\n    return len(helper.SEEN)\n",
    "b.py": "import helper\nhelper.SEEN.append('b')\n\ndef f():\n    return len(helper.SEEN)\n",
}


def test_the_students_modules_are_imported_afresh_for_each_exercise(mode: str) -> None:
    with SubmissionSandbox(HELPER, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.call("f").value == 1
        assert b.call("f").value == 1  # its own helper, not the one a appended to
        assert box.handed_on == 1
        assert a.call("f").value == 1  # a again: imported afresh too


HANGS_IN_DEL = """
class Hang:
    def __del__(self):
        while True:
            pass

loop = Hang()
loop.me = loop  # a cycle: only the garbage collector frees it, when the worker is handed on
del loop
"""
FORGES = """
import sys
_wire = sys.modules["wire"]
_send = _wire.send_frame

def _forged(sock, message, fds=None):
    if isinstance(message, dict) and message.get("taken") is True:
        message = {"id": -1, "taken": True}
    return _send(sock, message, fds)

_wire.send_frame = _forged
"""
DIES_LATER = "import threading, os, time\nthreading.Timer(0.3, os._exit, (5,)).start()\n"
OK = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("left", [HANGS_IN_DEL, FORGES, DIES_LATER], ids=["hangs", "forges", "dies"])
def test_a_hand_over_that_goes_wrong_costs_the_next_exercise_nothing(mode: str, left: str) -> None:
    with SubmissionSandbox({"a.py": left, "b.py": OK}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        assert a.import_error is None, a.import_error
        if left is DIES_LATER:
            import time

            time.sleep(0.6)  # the timer a left has ended its worker by now
        assert b.call("f", 1).value == 2
        assert b.aborted is None and b.budget_left > LIMITS.exercise_seconds - 0.5
        assert (box.refused, box.handed_on, len(box._spawned)) == (1, 0, 2)


def test_a_crash_after_the_hand_over_is_the_next_exercises_own(mode: str) -> None:
    files = {"a.py": OK, "b.py": "import ctypes\nctypes.string_at(0)\n", "c.py": OK}
    with SubmissionSandbox(files, LIMITS, mode) as box:
        a, b, c = (box.open(name) for name in "abc")
        assert a.call("f", 1).value == 2
        with pytest.raises(ExerciseAborted) as caught:
            b.import_error  # noqa: B018 - takes on a's worker, which then crashes importing b
        assert caught.value.status == "error" and "SIGSEGV" in caught.value.detail
        assert box.handed_on == 1
        assert c.call("f", 2).value == 3 and len(box._spawned) == 2


def test_a_timeout_in_an_exercise_ends_the_worker_and_the_next_starts_fresh(mode: str) -> None:
    loops = "def f(x):\n    while True:\n        pass\n"
    with SubmissionSandbox({"a.py": OK, "b.py": loops, "c.py": OK}, LIMITS, mode) as box:
        a, b, c = (box.open(name) for name in "abc")
        assert a.call("f", 1).value == 2
        with pytest.raises(ExerciseAborted) as caught:
            b.call("f", 1)
        assert caught.value.status == "timeout"
        assert c.call("f", 2).value == 3
        assert c.budget_left > LIMITS.exercise_seconds - 0.5
        assert box.handed_on == 1 and len(box._spawned) == 2


def test_share_off_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.SHARE_ENV, "0")
    with SubmissionSandbox({"a.py": OK, "b.py": OK}, LIMITS, available("none")) as box:
        assert [box.open(name).call("f", 0).value for name in "ab"] == [1, 1]
        assert (box.handed_on, len(box._spawned)) == (0, 2)


LEAVES_STATE = "import numpy as np\nnp.seterr(all='ignore')\nimport sys\nsys.setrecursionlimit(200)\n"


@pytest.mark.slow
def test_a_class_gets_the_same_reports_byte_for_byte_with_hand_overs_on_and_off(tmp_path: Path) -> None:
    """The demo class and a class from the corpus (some files leave state behind), graded both ways."""
    repo = Path(__file__).resolve().parents[1]
    klass = tmp_path / "class"
    shutil.copytree(repo / "examples" / "submissions", klass)
    rng = random.Random(9)
    corpus = sorted((repo / "tests" / "corpus").glob("*/*/*.py"))
    for index in range(12):
        folder = klass / f"corpus{index:02d}"
        folder.mkdir()
        for spec in ("c2f", "sigmoid", "step", "tanh", "relu"):
            choices = [path for path in corpus if path.parent.name == spec]
            source = rng.choice(choices).read_text("utf-8") if choices else ""
            prefix = LEAVES_STATE if index % 3 == 0 else ""
            (folder / f"{spec}.py").write_text(prefix + source, "utf-8")
    outs = {}
    for share in ("1", "0"):
        env = {**os.environ, sandbox.SHARE_ENV: share}
        out = tmp_path / f"out{share}"
        command = [
            sys.executable,
            "-m",
            "activation_lab",
            "grade",
            str(klass),
            "--out",
            str(out),
            "--jobs",
            "2",
        ]
        subprocess.run(command, env=env, check=False, capture_output=True, timeout=600)
        outs[share] = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert len(outs["1"]) > 60 and outs["1"].keys() == outs["0"].keys()
    differing = [str(name) for name in outs["1"] if outs["1"][name] != outs["0"][name]]
    assert differing == []


SLOW_AFTER_FIRST = """
import time
CALLS = []

def f(x):
    CALLS.append(x)
    if len(CALLS) > 1:
        time.sleep(x)
    return x
"""


def test_calls_nobody_read_are_drained_before_the_hand_over(mode: str) -> None:
    with SubmissionSandbox({"a.py": SLOW_AFTER_FIRST, "b.py": OK}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        replies = a.calls("f", [(0.0,), (0.01,), (0.01,)])
        assert next(replies).value == 0.0  # the caller stops here, as after a failed check
        assert b.call("f", 1).value == 2
        assert (box.handed_on, len(box._spawned)) == (1, 1)


def test_a_drain_that_outlasts_its_allowance_costs_the_next_exercise_nothing(mode: str) -> None:
    with SubmissionSandbox({"a.py": SLOW_AFTER_FIRST, "b.py": OK}, LIMITS, mode) as box:
        a, b = box.open("a"), box.open("b")
        replies = a.calls("f", [(0.0,), (30.0,)])
        assert next(replies).value == 0.0  # the second call sleeps past a's allowance (one call's limit)
        assert b.call("f", 1).value == 2
        assert b.budget_left > LIMITS.exercise_seconds - 0.5 and b.aborted is None
        assert (box.handed_on, len(box._spawned)) == (0, 2)


def test_a_namespace_is_compared_by_its_version_tag_where_cpython_keeps_one(monkeypatch) -> None:
    from activation_lab.sandbox import worker

    if sys.implementation.name == "cpython" and (3, 11) <= sys.version_info[:2] <= (3, 13):
        assert worker._DICT_VERSION is not None  # the probe found the tag where it is documented to be
    module = type(sys)("library")
    module.kept = 1
    for marks in (worker._namespace, lambda m: tuple(map(id, vars(m).values()))):
        before = marks(module)
        assert module.kept == 1 and marks(module) == before  # reading changes nothing
        module.shim = float  # added
        added = marks(module)
        module.shim = int  # replaced
        replaced = marks(module)
        del module.shim
        assert len({before, added, replaced}) == 3, marks
    monkeypatch.setattr(worker, "_DICT_VERSION", None)  # the fallback: the values' ids, one by one
    assert worker._namespace(module) == tuple(map(id, vars(module).values()))
    assert worker._namespace(module)[-1] == id(1)


def test_the_modules_imported_since_the_start_are_found_without_reading_the_others() -> None:
    from activation_lab.sandbox import worker

    proc = worker._Proc.open()
    start = worker._starting_state(proc)
    assert start is not None and start.modules == len(sys.modules)
    assert worker._new_modules(start) == []
    sys.modules["_probe_one"] = type(sys)("_probe_one")
    sys.modules["_probe_two"] = type(sys)("_probe_two")
    try:
        assert worker._new_modules(start) == ["_probe_two", "_probe_one"]
    finally:
        del sys.modules["_probe_one"], sys.modules["_probe_two"]
        for fd in (proc.status, proc.statm, proc.fds):
            os.close(fd)
