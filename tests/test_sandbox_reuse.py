"""No state a submission can change survives into another submission's grading (issue 7, class 1).

A running sandbox is handed from one submission to the next. Each test grades a hostile submission and then
honest neighbours, on the same reused sandbox where the machine reuses sandboxes: the neighbours keep full
marks, the zygote's limits, scheduling and identity are what they were, and no kernel object an earlier
submission created (SysV shared memory, semaphores and queues, POSIX queues, keys) is there for a later one.
"""

from __future__ import annotations

import ast
import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from isolation_modes import available

from activation_lab.course import Course, load_course
from activation_lab.grading.batch import grade_batch
from activation_lab.grading.grade import make_context
from activation_lab.grading.suites import run_suites
from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox.session import Limits, SubmissionSandbox

REPO = Path(__file__).resolve().parents[1]
ROUTES = Path(__file__).parent / "attacks" / "reuse"
LIMITS = Limits(exercise_seconds=4.0, call_seconds=2.0, memory_bytes=512 << 20)
SHM_MIB = 256  # three segments: 768 MiB, beyond the 512 MiB cap of LIMITS

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def course() -> Course:
    """The real course: manifest, hidden suites, reference solutions."""
    return load_course(REPO)


# Ordinary slide code: each file also computes a curve of 2 M points at import (16 MiB).
CURVE = "\nimport numpy as _np\n\n_CURVE = _np.tanh(_np.linspace(-6.0, 6.0, 1 << 21))\n"


@pytest.fixture(scope="module")
def reference_files(course: Course) -> dict[str, str]:
    """A correct submission: every reference solution as a student file, plotting-size arrays included."""
    return {
        spec.file: (course.solutions_dir / spec.file).read_text("utf-8") + CURVE for spec in course.exercises
    }


@pytest.fixture
def fresh_pool() -> Iterator[None]:
    """Start and end with no idle sandbox, so that the sandbox a test hands on is the one reused."""
    sandbox.close_idle_sandboxes()
    yield
    sandbox.close_idle_sandboxes()


def _route(name: str) -> str:
    text = (ROUTES / f"{name}.py").read_text("utf-8").replace("SHM_MIB = 1024", f"SHM_MIB = {SHM_MIB}")
    return text.replace("CAP_MIB = 1024", f"CAP_MIB = {LIMITS.memory_bytes >> 20}")


def _grade(course: Course, files: dict[str, str], mode: str) -> tuple[dict, SubmissionSandbox]:
    box = SubmissionSandbox(files, LIMITS, mode)
    with box:
        students = {spec.id: box.open(spec.file[:-3]) for spec in course.exercises if spec.file in files}
        return run_suites(course, students, lang="en", seed=0), box


def _full_marks(results: dict) -> bool:
    return all((r.status, r.score) == ("graded", r.max_score) for r in results.values())


# ---------------------------------------------------------------------------------------------------
# The zygote, seen from outside the sandbox (nothing here trusts what the sandbox says)


def _ppid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _is_python(pid: int) -> bool:
    argv = _cmdline(pid).split(b"\x00")
    return len(argv) > 2 and os.path.basename(argv[0]).startswith(b"python") and argv[1:3] == [b"-I", b"-S"]


def _zygote_pid(box: SubmissionSandbox) -> int:
    """The host pid of the zygote serving ``box``: the top python process below the sandbox's launcher."""
    host = box._host
    assert host is not None
    top = host.process.pid
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        with_python = _is_python(pid)
        chain, current = [], pid
        try:
            while current > 1 and current != top:
                current = _ppid(current)
                chain.append(current)
        except (OSError, ValueError, IndexError):
            continue
        if current == top and with_python and not any(_is_python(p) for p in chain[:-1]):
            found.append(pid)
    assert len(found) == 1, found
    return found[0]


def _zygote_state(pid: int) -> dict[str, object]:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    status = {
        line.split(":")[0]: line.split(":", 1)[1].split()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith(("Uid:", "Gid:", "Groups:", "Cpus_allowed_list:"))
    }
    return {
        "limits": Path(f"/proc/{pid}/limits").read_text(),
        "priority_nice_policy": (stat[15], stat[16], stat[38], stat[37]),  # prio, nice, rt, policy
        "affinity": sorted(os.sched_getaffinity(pid)),
        "scheduler": os.sched_getscheduler(pid),
        "ioprio": libc.syscall(252, 1, pid),  # ioprio_get(IOPRIO_WHO_PROCESS, pid)
        **status,
    }


@pytest.mark.sandbox
@pytest.mark.parametrize("route", ["zygote_rlimits", "zygote_scheduling", "signal_routing"])
def test_a_worker_cannot_change_the_zygote_the_next_submission_gets(
    route: str, course: Course, reference_files: dict[str, str], fresh_pool: None
) -> None:
    mode = available("bwrap")
    first, box = _grade(course, reference_files, mode)
    assert _full_marks(first)
    zygote = _zygote_pid(box) if box._host is not None and box._host.alive() else None
    baseline = _zygote_state(zygote) if zygote is not None else None

    hostile_files = {**reference_files, "step.py": _route(route)}
    _, hostile = _grade(course, hostile_files, mode)
    host = hostile._host
    assert host is not None
    if host.alive():  # handed on: it must be exactly the zygote it was
        assert zygote is not None and hostile.reused
        assert _zygote_state(zygote) == baseline

    for _ in range(2):  # the neighbours: on the hostile's sandbox if it was kept, else on a fresh one
        results, _ = _grade(course, reference_files, mode)
        assert _full_marks(results), {k: (r.status, r.score, r.notes) for k, r in results.items()}


def _shmem_kib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Shmem:"):
            return int(line.split()[1])
    raise AssertionError("no Shmem line in /proc/meminfo")


def _words(value: object) -> list[str]:
    assert isinstance(value, list)
    return ["".join(map(chr, codes)) for codes in value]


def _remove_left_objects() -> None:
    """Remove what kernel_objects.py leaves in the host's namespace, should a filter ever let it through."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    for key in (0x4AC7, 0x4AC8, 0x4AC9):
        for get, remove in ((libc.shmget, libc.shmctl), (libc.msgget, libc.msgctl)):
            ident = get(key, 0, 0) if get is libc.shmget else get(key, 0)
            if ident >= 0:
                remove(ident, 0, None)  # IPC_RMID
        ident = libc.semget(key, 0, 0)
        if ident >= 0:
            libc.semctl(ident, 0, 0)
    libc.mq_unlink(b"/activation-lab-left-behind")
    key = libc.syscall(249, b"user", b"activation-lab-left-behind", None, 0)
    if key > 0:
        libc.syscall(250, 3, key)  # KEYCTL_REVOKE


@pytest.fixture
def clean_host_namespace() -> Iterator[None]:
    """In the ``none`` mode the worker shares the host's IPC namespace and keyring: leave them clean."""
    yield
    _remove_left_objects()


@pytest.mark.parametrize(
    "mode", [pytest.param("bwrap", marks=pytest.mark.sandbox), "unshare", "none"], ids=str
)
def test_no_kernel_object_outlives_its_submission(
    mode: str, fresh_pool: None, clean_host_namespace: None
) -> None:
    mode = available(mode)
    source = _route("kernel_objects")
    before = _shmem_kib()
    with SubmissionSandbox({"step.py": source}, LIMITS, mode) as first:
        leaver = first.open("step")
        assert leaver.import_error is None
        left = _words(leaver.call("left", 0).value)
    held = _shmem_kib() - before
    with SubmissionSandbox({"step.py": source}, LIMITS, mode) as second:
        finder = second.open("step")
        assert finder.import_error is None
        found = _words(finder.call("found", 0).value)
        left += _words(finder.call("left", 0).value)
    assert found == [], f"a later submission found {found} left by an earlier one"
    assert left == [], f"a worker could create {left}"
    # A segment beyond the memory cap, held after the submission ended, would show here (3 x 256 MiB).
    assert held < (SHM_MIB << 10), f"{held >> 10} MiB of shared memory held after the submission ended"


@pytest.mark.sandbox
@pytest.mark.parametrize("jobs", [1, 2])
def test_honest_neighbours_keep_full_marks_after_hostile_ones_in_a_batch(
    jobs: int, reference_files: dict[str, str], tmp_path: Path, fresh_pool: None
) -> None:
    available("bwrap")
    zygote_routes = {"step.py": _route("zygote_rlimits"), "relu.py": _route("zygote_scheduling")}
    hostile = {0: zygote_routes, 3: {"c2f.py": _route("kernel_objects")}, 6: zygote_routes}
    for index in range(9):
        name = f"{index:02d}-hostile" if index in hostile else f"{index:02d}-honest"
        folder = tmp_path / "class" / name
        folder.mkdir(parents=True)
        for file_name, text in {**reference_files, **hostile.get(index, {})}.items():
            (folder / file_name).write_text(text, encoding="utf-8")
    ctx = make_context(REPO, seed=0, isolation="bwrap", limits=LIMITS)
    batch = grade_batch([tmp_path / "class"], ctx, lang="en", jobs=jobs)
    honest = [r for r in batch.reports if "honest" in r["submission"]]
    assert len(honest) == 6
    for report in honest:
        exercises = {e["id"]: (e["status"], e["score"]) for e in report["exercises"]}
        assert all(status == "graded" for status, _ in exercises.values()), (report["submission"], exercises)
        full = sum(spec.max_score for spec in ctx.course.exercises)  # every reference file, plots.py too
        assert sum(score for _, score in exercises.values()) == full, (report["submission"], exercises)
    shutil.rmtree(tmp_path / "class")


def _lower_open_files(pid: int) -> None:
    import resource

    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft - 1, hard))


def _renice(pid: int) -> None:
    os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + 1)


def _pin(pid: int) -> None:
    cpus = sorted(os.sched_getaffinity(pid))
    if len(cpus) < 2:
        pytest.skip("one CPU: no affinity to change")
    os.sched_setaffinity(pid, cpus[:1])


@pytest.mark.sandbox
@pytest.mark.parametrize("change", [_lower_open_files, _renice, _pin], ids=["rlimit", "nice", "affinity"])
def test_a_zygote_changed_by_a_route_the_filter_missed_is_retired(change, fresh_pool: None) -> None:
    """The second wall: whatever changed the zygote (here: the test, from outside), it is not handed on."""
    mode = available("bwrap")
    with SubmissionSandbox({"a.py": "def f(x):\n    return x\n"}, LIMITS, mode) as box:
        assert box.open("a").call("f", 1).value == 1
        host = box._host
        assert host is not None and host.zygote_pid is not None
        change(host.zygote_pid)
    assert not host.alive()
    with SubmissionSandbox({"a.py": "def f(x):\n    return x\n"}, LIMITS, mode) as after:
        assert after.open("a").call("f", 2).value == 2
        assert after.reused is False


@pytest.mark.sandbox
def test_an_unchanged_zygote_is_handed_on(fresh_pool: None) -> None:
    mode = available("bwrap")
    with SubmissionSandbox({"a.py": "def f(x):\n    return x\n"}, LIMITS, mode) as box:
        assert box.open("a").call("f", 1).value == 1
    with SubmissionSandbox({"a.py": "def f(x):\n    return x\n"}, LIMITS, mode) as after:
        assert after.open("a").call("f", 2).value == 2
        assert after.reused is True and after._host is box._host


@pytest.mark.sandbox
def test_a_worker_whose_limits_cannot_be_set_runs_no_student_code(
    fresh_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zygote's hard limit below the worker's: the worker refuses to run, honestly, and is not a pass."""
    import resource

    from activation_lab.errors import ExerciseAborted

    monkeypatch.setenv(sandbox.SHARE_ENV, "0")  # b's worker is forked after the limit is lowered
    mode = available("bwrap")
    files = {"a.py": "def f(x):\n    return x\n", "b.py": "def f(x):\n    return x\n"}
    with SubmissionSandbox(files, LIMITS, mode) as box:
        assert box.open("a").call("f", 1).value == 1
        host = box._host
        assert host is not None and host.zygote_pid is not None
        resource.prlimit(host.zygote_pid, resource.RLIMIT_NOFILE, (16, 16))  # below Limits.open_files
        with pytest.raises(ExerciseAborted) as caught:
            box.open("b").call("f", 2)
        assert caught.value.status == "error" and "limits could not be set" in caught.value.detail
        assert "RLIMIT_NOFILE" in caught.value.detail
        assert "not your fault" in sandbox.abort_message(caught.value, "en")
    assert not host.alive()


SYSCALLS = """
import ctypes
import errno
import fcntl
import os
import resource

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _outcome(action):
    try:
        result = action()
    except PermissionError:
        return "refused"
    except ValueError as exc:  # the resource module's words for EPERM (asking for the current limits)
        return "refused" if "not allowed" in str(exc) else f"ValueError {exc}"
    except OSError as exc:
        return "refused" if exc.errno == errno.EPERM else f"errno {exc.errno}"
    if isinstance(result, int) and result < 0:
        return "refused" if ctypes.get_errno() == errno.EPERM else f"errno {ctypes.get_errno()}"
    return "done"


def _pipe_owner():
    read_end, _ = os.pipe()
    return fcntl.fcntl(read_end, fcntl.F_SETOWN, os.getppid())


ON_OTHERS = {
    "prlimit": lambda: resource.prlimit(os.getppid(), resource.RLIMIT_CORE, (0, 0)),
    "prlimit-self-set": lambda: resource.prlimit(0, resource.RLIMIT_CORE, (0, 0)),
    "setrlimit": lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)),
    "affinity": lambda: os.sched_setaffinity(os.getppid(), os.sched_getaffinity(0)),
    "scheduler": lambda: os.sched_setscheduler(os.getppid(), os.SCHED_BATCH, os.sched_param(0)),
    "param": lambda: os.sched_setparam(os.getppid(), os.sched_param(0)),
    "priority-pid": lambda: os.setpriority(os.PRIO_PROCESS, os.getppid(), 19),
    "priority-group": lambda: os.setpriority(os.PRIO_PGRP, 0, 19),
    "priority-user": lambda: os.setpriority(os.PRIO_USER, 0, 19),
    "ioprio": lambda: _libc.syscall(251, 1, 0, 3 << 13),
    "fcntl-owner": _pipe_owner,
    "fcntl-signal": lambda: fcntl.fcntl(os.pipe()[0], 10, 19),
    "ioctl-owner": lambda: _libc.ioctl(os.pipe()[0], 0x8901, ctypes.byref(ctypes.c_int(os.getppid()))),
    "shmget": lambda: _libc.shmget(0x5A5A, 4096, 0o1600),
    "semget": lambda: _libc.semget(0x5A5A, 1, 0o1600),
    "msgget": lambda: _libc.msgget(0x5A5A, 0o1600),
    "mq_open": lambda: _libc.mq_open(b"/activation-lab-probe", os.O_CREAT | os.O_RDWR, 0o600, None),
    "add_key": lambda: _libc.syscall(248, b"user", b"activation-lab-probe", b"x", 1, -4),
    "pidfd_open": lambda: _libc.syscall(434, os.getppid(), 0),
}
ON_SELF = {
    "getrlimit": lambda: resource.getrlimit(resource.RLIMIT_AS),
    "nice": lambda: os.nice(1),
    "own-affinity": lambda: os.sched_setaffinity(0, os.sched_getaffinity(0)),
    "own-fcntl": lambda: fcntl.fcntl(os.pipe()[0], fcntl.F_SETFL, os.O_NONBLOCK),
}


def outcomes(x):
    table = {**ON_OTHERS, **ON_SELF}
    return [[ord(c) for c in f"{name}={_outcome(action)}"] for name, action in table.items()]
"""


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=pytest.mark.sandbox), "unshare", "none"])
def test_the_filter_refuses_acting_on_others_and_allows_acting_on_oneself(mode: str) -> None:
    mode = available(mode)
    with SubmissionSandbox({"calls.py": SYSCALLS}, LIMITS, mode) as box:
        student = box.open("calls")
        assert student.import_error is None
        found = dict(line.split("=") for line in _words(student.call("outcomes", 0).value))
    on_self = {"getrlimit", "nice", "own-affinity", "own-fcntl"}
    assert {name: found[name] for name in on_self} == dict.fromkeys(on_self, "done")
    refused = {name for name in found if name not in on_self}
    assert {name: found[name] for name in refused} == dict.fromkeys(refused, "refused")


def test_each_grading_worker_keeps_a_core_of_its_own_when_there_are_enough() -> None:
    from activation_lab.grading.batch import cpu_for

    assert [cpu_for(w, 2, [3, 1]) for w in range(2)] == [1, 3]
    assert cpu_for(0, 3, [0, 1]) is None  # more jobs than cores: the scheduler decides
    assert cpu_for(2, 2, [0, 1]) is None


PINNED = """
import os, sys
from activation_lab.sandbox.session import SubmissionSandbox, Limits
cpu = min(os.sched_getaffinity(0))
os.sched_setaffinity(0, {cpu})
os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
source = "import os\\ndef f():\\n    return [sorted(os.sched_getaffinity(0)), os.sched_getscheduler(0)]\\n"
seen = []
for _ in range(2):
    with SubmissionSandbox({"a.py": source}, Limits(exercise_seconds=3.1, call_seconds=1.0)) as box:
        seen.append((box.open("a").call("f").value, box.reused))
print(repr((cpu, seen)))
"""


@pytest.mark.sandbox
def test_a_pinned_grading_workers_sandbox_runs_on_its_core_and_is_still_handed_on() -> None:
    """What ``batch._pin`` does to a grading worker: its sandbox inherits the core and SCHED_BATCH."""
    mode = available("bwrap")
    from activation_lab.sandbox import confine

    if not sandbox.pool.reuse_allowed(mode) or confine.landlock_abi() < 1:
        pytest.skip("reuse needs Landlock and the seccomp filter")
    env = {**os.environ, sandbox.FORCE_ENV: mode}
    command = [sys.executable, "-c", PINNED]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    cpu, seen = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert seen == [([[cpu], os.SCHED_BATCH], False), ([[cpu], os.SCHED_BATCH], True)]


def test_the_state_compared_before_a_hand_over_reads_the_umask_and_leaves_it() -> None:
    """``os.umask(os.umask(x))`` returns ``x``, not the umask: the check once compared a constant."""
    from activation_lab.sandbox import confine

    old = os.umask(0o022)
    try:
        before = confine.process_state()
        os.umask(0o027)
        after = confine.own_state()
        assert (before["umask"], after["umask"]) == (0o022, 0o027)
        assert os.umask(0o027) == 0o027  # reading it put it back
    finally:
        os.umask(old)
