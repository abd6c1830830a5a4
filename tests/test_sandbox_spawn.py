"""Starting a submission's workers and closing it in one round trip (issue 9).

A spawn request may name several modules (one worker each); a submission asks for one worker, which its
exercises then take on in turn (``test_sandbox_share.py``). Each worker's hello and ready are read when its
exercise is first used, with its own deadline and budget. Closing kills, reaps and checks in one reply. The
parent bounds and checks both replies as it checks everything else the sandbox says.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from isolation_modes import available, mode_fixture

from activation_lab.errors import ExerciseAborted
from activation_lab.sandbox import confine, wire, worker
from activation_lab.sandbox import host as host_module
from activation_lab.sandbox import session as sandbox
from activation_lab.sandbox.host import MAX_SPAWN, RunningSandbox
from activation_lab.sandbox.session import Limits, SubmissionSandbox

OK = "def f(x):\n    return x + 1\n"
LIMITS = Limits(exercise_seconds=2.0, call_seconds=1.0)


mode = mode_fixture()


def _open_fds() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


# ---------------------------------------------------------------------------------------------------
# What the zygote builds once is what each worker built for itself


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
@pytest.mark.parametrize("pid", [1, 2, 77, 31337, (1 << 22) - 1])
def test_the_filter_built_once_is_byte_for_byte_the_one_built_for_each_worker(machine: str, pid: int) -> None:
    built = confine.seccomp_instructions(machine, pid)
    assert built is not None
    instructions, pid_slots = built
    assert [instructions[i] for i in pid_slots] == [(0x15, 0, 1, pid)] * 3  # kill, tkill, tgkill: self only
    direct = b"".join(struct.pack("=HBBI", *instruction) for instruction in instructions)
    assert confine.seccomp_program(machine, pid) == direct
    assert confine.seccomp_program(machine, pid + 1) != direct


def test_no_filter_for_an_architecture_without_a_table() -> None:
    assert confine.seccomp_program("riscv64", 5) is None


# ---------------------------------------------------------------------------------------------------
# The parent's end: forged or malformed replies of the zygote


@pytest.fixture
def bare_host() -> Iterator[tuple[RunningSandbox, socket.socket]]:
    """A ``RunningSandbox`` whose control socket leads to this test, which answers as the zygote would."""
    host = object.__new__(RunningSandbox)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    host.control = ours
    host._next_id = 0
    host.exits = {}
    host.state = {"rlimits": {"RLIMIT_NOFILE": [64, 64]}}
    host.zygote_pid = None  # seen from outside: nothing to compare
    host.outside = None
    yield host, theirs
    ours.close()
    theirs.close()


def _channels(count: int) -> list[socket.socket]:
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(count)]
    for _, far in pairs:
        far.close()
    return [near for near, _ in pairs]


def test_a_well_formed_spawn_reply_gives_each_module_its_channel_and_pid(bare_host) -> None:
    host, zygote = bare_host
    channels = _channels(3)
    wire.send_frame(zygote, {"spawned": 1, "pids": [5, 6, 7]}, fds=[c.fileno() for c in channels])
    for channel in channels:
        channel.close()
    spawned = host.spawn(["a", "b", "c"], "/w/1", "/t/1", _soon())
    assert [pid for _, pid in spawned] == [5, 6, 7]
    assert all(channel.family == socket.AF_UNIX for channel, _ in spawned)
    assert wire.recv_frame(zygote, 1 << 16) == {
        "spawn": ["a", "b", "c"],
        "work_dir": "/w/1",
        "tmp_dir": "/t/1",
        "id": 1,
    }
    for channel, _ in spawned:
        channel.close()


def _soon() -> float:
    return time.monotonic() + 2.0


FORGED_SPAWN_REPLIES = [
    pytest.param({"spawned": 1, "pids": [5, 6]}, 3, id="fewer-pids"),
    pytest.param({"spawned": 1, "pids": [5, 6, 7, 8]}, 3, id="more-pids"),
    pytest.param({"spawned": 1, "pids": [5, 6, 7]}, 2, id="fewer-channels"),
    pytest.param({"spawned": 1, "pids": [5, 6, 7]}, 4, id="more-channels"),
    pytest.param({"spawned": 1, "pids": [5, 5, 7]}, 3, id="same-pid-twice"),
    pytest.param({"spawned": 1, "pids": [5, 0, 7]}, 3, id="pid-zero"),
    pytest.param({"spawned": 1, "pids": [5, 1 << 22, 7]}, 3, id="pid-too-large"),
    pytest.param({"spawned": 1, "pids": [5, "6", 7]}, 3, id="pid-text"),
    pytest.param({"spawned": 1, "pids": [5, True, 7]}, 3, id="pid-bool"),
    pytest.param({"spawned": 1, "pids": {"a": 5}}, 3, id="pids-not-a-list"),
    pytest.param({"spawned": 1}, 3, id="no-pids"),
    pytest.param({"spawned": 2, "pids": [5, 6, 7]}, 3, id="wrong-id"),
    pytest.param({"refused": 1}, 0, id="refused"),
]


@pytest.mark.parametrize(("reply", "channels"), FORGED_SPAWN_REPLIES)
def test_a_spawn_reply_that_does_not_match_the_request_is_refused_and_leaks_nothing(
    bare_host, reply: dict, channels: int
) -> None:
    host, zygote = bare_host
    before = _open_fds()
    passed = _channels(channels)
    wire.send_frame(zygote, reply, fds=[c.fileno() for c in passed])
    for channel in passed:
        channel.close()
    with pytest.raises(wire.ProtocolError):
        host.spawn(["a", "b", "c"], "/w/1", "/t/1", _soon())
    assert _open_fds() == before  # every descriptor received was closed


def test_a_passed_descriptor_that_is_not_a_stream_socket_is_refused(bare_host) -> None:
    host, zygote = bare_host
    before = _open_fds()
    read_end, write_end = os.pipe()
    datagram, other = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    wire.send_frame(zygote, {"spawned": 1, "pids": [5, 6]}, fds=[read_end, datagram.fileno()])
    for fd in (read_end, write_end):
        os.close(fd)
    datagram.close()
    other.close()
    with pytest.raises((wire.ProtocolError, OSError)):
        host.spawn(["a", "b"], "/w/1", "/t/1", _soon())
    assert _open_fds() == before


@pytest.mark.parametrize("count", [0, MAX_SPAWN + 1])
def test_spawn_requests_are_bounded(bare_host, count: int) -> None:
    host, _ = bare_host
    with pytest.raises(ValueError):
        host.spawn([f"m{i}" for i in range(count)], "/w/1", "/t/1", _soon())


STATE = {"rlimits": {"RLIMIT_NOFILE": [64, 64]}}
FORGED_CLOSE_REPLIES = [
    pytest.param({"closed": 1, "exits": [{"exited": 5, "signal": 9}], "state": STATE}, id="one-exit-missing"),
    pytest.param({"closed": 1, "state": STATE}, id="no-exits"),
    pytest.param({"closed": 1, "exits": {"5": 9}, "state": STATE}, id="exits-not-a-list"),
    pytest.param({"closed": 1, "exits": [5, 6], "state": STATE}, id="exits-not-notices"),
    pytest.param(
        {"closed": 1, "exits": [{"exited": 5, "signal": 9}, {"exited": 6}], "state": STATE}, id="bad-notice"
    ),
    pytest.param(
        {"closed": 1, "exits": [{"exited": 5, "signal": 9}, {"exited": 6, "code": 0}], "state": {}},
        id="state-changed",
    ),
    pytest.param(
        {"closed": 2, "exits": [{"exited": 5, "signal": 9}, {"exited": 6, "code": 0}], "state": STATE},
        id="wrong-id",
    ),
    pytest.param(
        {"closed": 1, "exits": [{"exited": 5, "signal": 9}] * 5000, "state": STATE}, id="flood-of-exits"
    ),
]


@pytest.mark.parametrize("reply", FORGED_CLOSE_REPLIES)
def test_a_close_reply_that_does_not_confirm_everything_keeps_the_sandbox_from_being_handed_on(
    bare_host, reply: dict
) -> None:
    host, zygote = bare_host
    wire.send_frame(zygote, reply)
    assert host.close_submission("/tmp/1", [5, 6], _soon()) is False


def test_a_close_reply_that_confirms_every_worker_and_the_state_passes(bare_host) -> None:
    host, zygote = bare_host
    host.exits[6] = {"exited": 6, "code": 0}  # reported earlier, unasked
    wire.send_frame(zygote, {"closed": 1, "exits": [{"exited": 5, "signal": 9}], "state": STATE})
    assert host.close_submission("/tmp/1", [5, 6], _soon()) is True
    assert host.exits == {}  # the confirmed workers are forgotten
    assert wire.recv_frame(zygote, 1 << 16) == {"close": "/tmp/1", "workers": [5, 6], "id": 1}


def test_a_close_of_more_workers_than_a_request_names_is_refused(bare_host) -> None:
    host, _ = bare_host
    assert host.close_submission("/tmp/1", list(range(1, 100)), _soon()) is False


# ---------------------------------------------------------------------------------------------------
# The zygote's end: requests it refuses, and what a close touches


@pytest.fixture
def zygote_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[socket.socket, socket.socket]]:
    def no_fork() -> int:  # a request the zygote must refuse never gets this far
        raise AssertionError("the zygote forked for a request it should have refused")

    monkeypatch.setattr(worker.os, "fork", no_fork)
    zygote, parent = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield zygote, parent
    zygote.close()
    parent.close()


def _config(tmp_path: Path) -> dict:
    (tmp_path / "subs").mkdir(exist_ok=True)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {"subs_root": str(tmp_path / "subs"), "tmp_root": str(tmp_path / "tmp")}


@pytest.mark.parametrize(
    "names",
    [
        pytest.param("a", id="not-a-list"),
        pytest.param([], id="none"),
        pytest.param([f"m{i}" for i in range(worker.MAX_SPAWN + 1)], id="too-many"),
        pytest.param(["a", 3], id="not-text"),
    ],
)
def test_the_zygote_refuses_a_malformed_spawn_request(zygote_end, tmp_path: Path, names: object) -> None:
    zygote, parent = zygote_end
    config = _config(tmp_path)
    request = {"spawn": names, "work_dir": f"{config['subs_root']}/s", "tmp_dir": f"{config['tmp_root']}/s"}
    worker._serve(zygote, {**request, "id": 4}, config, set(), -1)
    assert wire.recv_frame(parent, 1 << 16) == {"refused": 4}


@pytest.mark.parametrize(
    ("work", "tmp"),
    [("{subs}/../x", "{tmp}/s"), ("{subs}/s", "{tmp}/.."), ("/etc", "{tmp}/s"), ("{subs}/s", "{tmp}/a/b")],
)
def test_the_zygote_refuses_folders_outside_its_roots(
    zygote_end, tmp_path: Path, work: str, tmp: str
) -> None:
    zygote, parent = zygote_end
    config = _config(tmp_path)
    roots = {"subs": config["subs_root"], "tmp": config["tmp_root"]}
    request = {"spawn": ["a"], "work_dir": work.format(**roots), "tmp_dir": tmp.format(**roots), "id": 5}
    worker._serve(zygote, request, config, set(), -1)
    assert wire.recv_frame(parent, 1 << 16) == {"refused": 5}


def test_a_close_deletes_only_its_folder_and_kills_only_the_zygotes_own_workers(
    zygote_end, tmp_path: Path
) -> None:
    zygote, parent = zygote_end
    config = _config(tmp_path)
    mine, neighbour = Path(config["tmp_root"]) / "mine", Path(config["tmp_root"]) / "neighbour"
    for folder in (mine, neighbour):
        folder.mkdir()
        (folder / "notes.txt").write_text("x")
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for target in (f"{config['tmp_root']}/../tmp", f"{config['tmp_root']}/mine/..", str(mine)):
            request = {"close": target, "workers": [stranger.pid], "id": 6}
            worker._serve(zygote, request, config, set(), -1)  # the stranger is not one of its workers
            reply = wire.recv_frame(parent, 1 << 16)
            assert reply["closed"] == 6 and reply["exits"] == [] and reply["state"] == confine.own_state()
            assert mine.exists() is (target != str(mine))
        assert neighbour.exists() and stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


# ---------------------------------------------------------------------------------------------------
# A real sandbox: the first exercise used starts one worker; the others take it on in turn


def test_the_exercises_take_on_one_worker_in_turn(mode: str) -> None:
    files = {"a.py": OK, "b.py": OK, "c.py": OK}
    with SubmissionSandbox(files, LIMITS, mode) as box:
        students = [box.open(name) for name in ("a", "b", "c")]
        assert students[0].call("f", 1).value == 2
        assert len(box._spawned) == 1
        assert [s._started for s in students] == [True, False, False]
        assert [s.call("f", 2).value for s in students[1:]] == [3, 3]
        assert len(box._spawned) == 1 and box.handed_on == 2 and box.refused == 0
        assert students[0]._channel is None and students[2]._channel is not None
        assert students[0].call("f", 5).value == 6  # used again after c took its worker: takes it back
        assert len(box._spawned) == 1 and box.handed_on == 3  # and imports its module afresh
        opened_later = box.open("a")
        assert opened_later is students[0]


def test_a_worker_takes_on_a_bounded_number_of_exercises(mode: str) -> None:
    files = {f"m{i}.py": OK for i in range(sandbox.MAX_EXERCISES_PER_WORKER + 2)}
    with SubmissionSandbox(files, LIMITS, mode) as box:
        students = [box.open(name[:-3]) for name in files]
        assert [s.call("f", i).value for i, s in enumerate(students)] == [i + 1 for i in range(len(files))]
        assert len(set(box._spawned)) == 2
        assert box.handed_on == len(files) - 2


def test_with_hand_overs_off_every_exercise_has_a_worker_of_its_own(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sandbox.SHARE_ENV, "0")
    with SubmissionSandbox({"a.py": OK, "b.py": OK, "c.py": OK}, LIMITS, mode) as box:
        assert [box.open(name).call("f", 1).value for name in "abc"] == [2, 2, 2]
        assert len(set(box._spawned)) == 3 and box.handed_on == 0


SLEEPS = "import time\ntime.sleep(60)\n"


def test_an_import_that_hangs_in_a_worker_taken_on_ends_only_its_own_exercise(mode: str) -> None:
    with SubmissionSandbox({"ok.py": OK, "slow.py": SLEEPS, "after.py": OK}, LIMITS, mode) as box:
        ok, slow, after = box.open("ok"), box.open("slow"), box.open("after")
        assert ok.call("f", 1).value == 2
        with pytest.raises(ExerciseAborted) as caught:
            slow.import_error  # noqa: B018 - takes on ok's worker, then waits out its own budget
        assert caught.value.status == "timeout" and "import took too long" in caught.value.detail
        assert slow.budget_left <= 0 and ok.budget_left > LIMITS.exercise_seconds / 2
        assert after.call("f", 2).value == 3  # a fresh worker: the one slow hung in was killed
        assert after.budget_left > LIMITS.exercise_seconds / 2
        assert len(box._spawned) == 2
        host = box._host
    assert host is not None and host.alive() is (mode == "bwrap" and host.confines_every_worker())


CRASHES = {
    "exits.py": "import os\nos._exit(3)\n",
    "segfaults.py": "import ctypes\nctypes.string_at(0)\n",
    "ok.py": OK,
}


def test_an_import_time_crash_ends_only_its_own_exercise(mode: str) -> None:
    with SubmissionSandbox(CRASHES, LIMITS, mode) as box:
        exits, segfaults, ok = box.open("exits"), box.open("segfaults"), box.open("ok")
        assert ok.call("f", 1).value == 2
        for student, detail in ((exits, "exited with code 3"), (segfaults, "crashed: SIGSEGV")):
            with pytest.raises(ExerciseAborted) as caught:
                student.call("f", 1)  # the first takes on ok's worker; the second starts a fresh one
            assert caught.value.status == "error" and detail in caught.value.detail
        assert ok.call("f", 2).value == 3


@pytest.mark.sandbox
def test_a_clean_submission_hands_its_sandbox_on_with_every_worker_gone() -> None:
    mode = available("bwrap")
    if not sandbox.pool.reuse_allowed(mode) or confine.landlock_abi() < 1:
        pytest.skip("reuse needs Landlock and the seccomp filter")
    limits = Limits(exercise_seconds=2.5, call_seconds=1.0)  # limits of their own: a pool nobody else uses
    files = {"a.py": OK, "b.py": OK, "c.py": OK}
    with SubmissionSandbox(files, limits, mode) as box:
        students = [box.open(name[:-3]) for name in files]
        host_pids = []
        for student in students:
            assert student.call("f", 0).value == 1
            host_pids.append(student._host_pid)
        assert host_pids[0] is not None and len(set(host_pids)) == 1  # one worker, taken on in turn
    assert box._killed == []  # every pidfd closed
    assert not Path(f"/proc/{host_pids[0]}").exists()
    with SubmissionSandbox(files, limits, mode) as after:
        assert after.open("b").call("f", 1).value == 2
        assert after.reused and after._host is box._host
    sandbox.close_idle_sandboxes()


# ---------------------------------------------------------------------------------------------------
# prestart: a batch asks for the next submission's worker when the previous one's are gone


def _ready_box(files: dict[str, str], mode: str) -> SubmissionSandbox:
    box = SubmissionSandbox(files, LIMITS, mode).__enter__()
    box._ensure_started()  # the zygote is ready: what a reused sandbox is in a batch
    return box


def test_prestart_asks_for_the_first_exercises_worker_before_it_is_used(mode: str) -> None:
    box = _ready_box({"a.py": OK, "b.py": OK, "c.py": OK}, mode)
    try:
        assert box.prestart(["a", "b"]) is True
        assert box.prestart(["c"]) is False  # one unread request at a time
        a, b, c = box.open("a"), box.open("b"), box.open("c")
        assert box._spawned == [] and a._requested and not b._requested
        assert b.call("f", 1).value == 2  # reads the reply; a is not started, so b starts its own
        assert len(box._spawned) == 2 and a._had_worker and not a._started
        assert a.call("f", 2).value == 3  # a's own worker, imported meanwhile
        assert c.call("f", 3).value == 4  # takes on a's worker
        assert len(box._spawned) == 2 and box.handed_on == 1
    finally:
        box.close()


def test_prestart_waits_for_nothing_a_fresh_sandbox_has_not_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.REUSE_ENV, "0")
    with SubmissionSandbox({"a.py": OK}, LIMITS, available("none")) as box:
        assert box._host is not None and not box._host.ready
        assert box.prestart(["a"]) is False  # its zygote may still be importing NumPy
        assert box.open("a").call("f", 1).value == 2


def test_a_worker_asked_for_and_never_used_is_killed_and_the_sandbox_stopped(mode: str) -> None:
    box = _ready_box({"a.py": SLEEPS, "b.py": OK}, mode)
    host = box._host
    assert host is not None and box.prestart(["a", "b"]) is True
    box.close()
    assert len(box._spawned) == 1  # the reply was read at close, so the worker was named and killed
    assert not host.alive()  # a worker that never said it was confined: never handed on


@pytest.mark.sandbox
def test_a_strong_sandboxs_files_live_in_shared_memory_and_go_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mode = available("bwrap")
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setenv(sandbox.REUSE_ENV, "0")
    expected = host_module.SHARED_MEMORY if host_module._shared_memory_usable() else None
    assert host_module.scratch_dir(mode) == expected
    assert (
        host_module.scratch_dir("none") is None
    )  # the fallback modes' workers write their temporary files there
    with SubmissionSandbox({"a.py": OK}, LIMITS, mode) as box:
        assert box.open("a").call("f", 1).value == 2
        assert box._host is not None
        root = box._host.root
        assert str(root.parent) == (expected or tempfile.gettempdir())
        assert oct(root.stat().st_mode & 0o777) == oct(0o700)
    assert not root.exists()
    monkeypatch.setenv("TMPDIR", str(root.parent))
    assert host_module.scratch_dir(mode) is None  # an instructor's TMPDIR is respected
