"""How a worker confines itself before the student's code runs: rlimits, a seccomp filter, Landlock.

Copied into the sandbox beside ``worker.py`` and ``wire.py``; standard library only. Also describes the
zygote's own state (limits, scheduling, identity, left-over kernel objects), which the parent compares
before every hand-over of a reused sandbox.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import resource
import signal
import struct
import sys
from typing import Any

# Files every program may use as on any machine: opened for reading and writing, never listed or created.
DEVICE_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class LimitsError(Exception):
    """A limit of the worker could not be set: the worker must not run student code."""


@functools.cache
def _libc() -> Any:
    """The C library, loaded once (in the zygote, by ``prepare``): every worker forked after inherits it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def prepare() -> None:
    """Build once, in the zygote, what every worker would otherwise rebuild before its student code runs.

    The C library handle, the seccomp filter (all but the worker's own pid, patched in by
    ``install_seccomp``) and the kernel's Landlock ABI. A worker is forked after this and inherits them;
    what it installs is byte for byte what it would have built itself.
    """
    if sys.platform.startswith("linux"):
        _libc()
        _seccomp_template(platform.machine())
        landlock_abi()


def mapped_bytes(statm: int | None = None) -> int:
    """The address space this process has mapped (``VmSize``), from ``/proc/self/statm`` (in pages).

    ``statm``: that file, opened earlier (a worker reads it after Landlock, which forbids opening it).
    """
    if statm is not None:
        return int(os.pread(statm, 256, 0).split()[0]) * os.sysconf("SC_PAGE_SIZE")
    fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
    try:
        return mapped_bytes(fd)
    finally:
        os.close(fd)


def set_limits(config: dict[str, Any]) -> None:
    """Set the worker's rlimits and check each took effect (``LimitsError`` if one did not)."""
    vm_now = 0
    try:
        vm_now = mapped_bytes()
    except (OSError, ValueError, IndexError):  # no /proc (macOS): RLIMIT_AS is not enforced there anyway
        if sys.platform.startswith("linux"):
            raise LimitsError("cannot read /proc/self/statm") from None
    cpu = max(1, int(config["cpu_seconds"] + 0.999))
    wanted = [
        # the cap is what the student may allocate on top of the interpreter and NumPy already mapped
        ("RLIMIT_AS", vm_now + int(config["memory_bytes"]), None),
        ("RLIMIT_CPU", cpu, cpu + 1),
        ("RLIMIT_FSIZE", int(config["file_size_bytes"]), None),
        ("RLIMIT_NOFILE", int(config["open_files"]), None),
        ("RLIMIT_NPROC", int(config["processes"]), None),
        ("RLIMIT_CORE", 0, None),
    ]
    for name, soft, hard in wanted:
        which = getattr(resource, name)
        limit = (soft, soft if hard is None else hard)
        try:
            resource.setrlimit(which, limit)
        except (ValueError, OSError) as exc:
            raise LimitsError(f"{name} {limit}: {exc}") from None
        if resource.getrlimit(which) != limit:
            raise LimitsError(f"{name} is {resource.getrlimit(which)}, not {limit}")


# ----------------------------------------------------------------------------------------------------
# seccomp: no new processes, nothing that acts on another process, no kernel object that outlives us

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SYSCALLS: dict[str, dict[str, Any]] = {
    "x86_64": {
        "clone": 56, "clone3": 435, "fork": 57, "vfork": 58, "kill": 62, "tkill": 200, "tgkill": 234,
        # socket ptrace process_vm_readv/writev pidfd_open/send_signal/getfd setns unshare bpf perf_event_open
        # io_uring_setup rt_sigqueueinfo rt_tgsigqueueinfo mount pivot_root setsid kcmp process_madvise
        # process_mrelease userfaultfd open_by_handle_at setrlimit ioprio_set migrate_pages move_pages
        # set*uid/gid setgroups capset; SysV shm/sem/msg; POSIX queues; keyrings
        "deny": [41, 101, 310, 311, 434, 424, 438, 308, 272, 321, 298, 425, 129, 297, 165, 155, 112, 312,
                 440, 448, 323, 304, 160, 251, 256, 279, 105, 106, 113, 114, 117, 119, 116, 122, 123, 126,
                 29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71, 240, 241, 242, 243, 244, 245,
                 248, 249, 250],
        "prlimit64": 302, "setpriority": 141, "fcntl": 72, "ioctl": 16,
        "self_only": [142, 144, 203, 314],  # sched_setparam/setscheduler/setaffinity/setattr: pid 0 only
    },
    "aarch64": {
        "clone": 220, "clone3": 435, "kill": 129, "tkill": 130, "tgkill": 131,
        "deny": [198, 117, 270, 271, 434, 424, 438, 268, 97, 280, 241, 425, 138, 240, 40, 41, 157, 272,
                 440, 448, 282, 265, 164, 30, 238, 239, 146, 144, 145, 143, 147, 149, 159, 151, 152, 91,
                 194, 195, 196, 197, 190, 191, 192, 193, 186, 187, 188, 189, 180, 181, 182, 183, 184, 185,
                 217, 218, 219],
        "prlimit64": 261, "setpriority": 140, "fcntl": 25, "ioctl": 29,
        "self_only": [118, 119, 122, 274],
    },
}  # fmt: skip
_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15
_FIOSETOWN, _SIOCSPGRP = 0x8901, 0x8902
_LD, _JEQ, _JSET, _JGE, _RET = 0x20, 0x15, 0x45, 0x35, 0x06
_ALLOW, _KILL_PROCESS, _EPERM, _ENOSYS = 0x7FFF0000, 0x80000000, 0x00050000 | 1, 0x00050000 | 38


def _arg(index: int, high: bool = False) -> int:
    return 16 + 8 * index + (4 if high else 0)  # struct seccomp_data, little-endian 64-bit arguments


def _zero_args(number: int, offsets: list[int]) -> list[tuple[int, int, int, int]]:
    """Allow system call ``number`` only when every 32-bit word at ``offsets`` is 0; else EPERM."""
    checks = len(offsets)
    block = [(_JEQ, 0, 2 * checks + 2, number)]
    for k, offset in enumerate(offsets):
        block += [(_LD, 0, 0, offset), (_JEQ, 0, 2 * checks - 2 * k - 1, 0)]
    return [*block, (_RET, 0, 0, _ALLOW), (_RET, 0, 0, _EPERM)]


def _refuse_values(number: int, offset: int, values: list[int]) -> list[tuple[int, int, int, int]]:
    """EPERM for system call ``number`` when the word at ``offset`` is one of ``values``; else allow."""
    block = [(_JEQ, 0, len(values) + 3, number), (_LD, 0, 0, offset)]
    block += [(_JEQ, len(values) - j, 0, value) for j, value in enumerate(values)]
    return [*block, (_RET, 0, 0, _ALLOW), (_RET, 0, 0, _EPERM)]


_PID_SLOTS = 3  # kill, tkill, tgkill: the instructions that compare a signal's target with our own pid
_INSTRUCTION = struct.Struct("=HBBI")


def seccomp_program(machine: str, own_pid: int) -> bytes | None:
    """The worker's filter as BPF bytes, or ``None`` on an architecture without a table."""
    template = _seccomp_template(machine)
    if template is None:
        return None
    program = bytearray(template[0])
    for index in template[1]:  # the only word that differs between workers: the pid a signal may target
        code, jt, jf, _ = _INSTRUCTION.unpack_from(program, index * _INSTRUCTION.size)
        _INSTRUCTION.pack_into(program, index * _INSTRUCTION.size, code, jt, jf, own_pid)
    return bytes(program)


@functools.cache
def _seccomp_template(machine: str) -> tuple[bytes, tuple[int, ...]] | None:
    """The filter built for pid 0, and the indices of the instructions that must hold the worker's pid."""
    built = seccomp_instructions(machine, 0)
    if built is None:
        return None
    program, pid_slots = built
    assert len(pid_slots) == _PID_SLOTS and all(program[i] == (_JEQ, 0, 1, 0) for i in pid_slots)
    return b"".join(_INSTRUCTION.pack(*instruction) for instruction in program), pid_slots


def seccomp_instructions(
    machine: str, own_pid: int
) -> tuple[list[tuple[int, int, int, int]], tuple[int, ...]] | None:
    """The filter's instructions, and the indices of those that compare a signal's target with ``own_pid``."""
    table = _SYSCALLS.get(machine)
    if table is None:
        return None
    program: list[tuple[int, int, int, int]] = [
        (_LD, 0, 0, 4),
        (_JEQ, 1, 0, _AUDIT_ARCH[machine]),
        (_RET, 0, 0, _KILL_PROCESS),
        (_LD, 0, 0, 0),
        (_JGE, 0, 1, 0x40000000),
        (_RET, 0, 0, _EPERM),
        (_JEQ, 0, 1, table["clone3"]),
        (_RET, 0, 0, _ENOSYS),  # glibc then falls back to clone(), checked below
        (_JEQ, 0, 4, table["clone"]),
        (_LD, 0, 0, 16),
        (_JSET, 0, 1, 0x00010000),  # CLONE_THREAD: threads are allowed, new processes are not
        (_RET, 0, 0, _ALLOW),
        (_RET, 0, 0, _EPERM),
    ]
    pid_slots = []
    for name in ("kill", "tkill", "tgkill"):
        pid_slots.append(len(program) + 2)
        program += [
            (_JEQ, 0, 4, table[name]),
            (_LD, 0, 0, 16),
            (_JEQ, 0, 1, own_pid),
            (_RET, 0, 0, _ALLOW),
            (_RET, 0, 0, _EPERM),
        ]
    for number in [table.get("fork"), table.get("vfork"), *table["deny"]]:
        if number is not None:
            program += [(_JEQ, 0, 1, number), (_RET, 0, 0, _EPERM)]
    # prlimit64(pid, resource, new, old): reading our own limits only (pid 0, new NULL)
    program += _zero_args(table["prlimit64"], [_arg(0), _arg(2), _arg(2, high=True)])
    # setpriority(which, who, prio): PRIO_PROCESS of ourselves only (os.nice works; a process group does not)
    program += _zero_args(table["setpriority"], [_arg(0), _arg(1)])
    for number in table["self_only"]:
        program += _zero_args(number, [_arg(0)])
    # signal routing: who gets SIGIO/SIGURG (or the signal set with F_SETSIG) for our files
    program += _refuse_values(table["fcntl"], _arg(1), [_F_SETOWN, _F_SETSIG, _F_SETOWN_EX])
    program += _refuse_values(table["ioctl"], _arg(1), [_FIOSETOWN, _SIOCSPGRP])
    program.append((_RET, 0, 0, _ALLOW))
    return program, tuple(pid_slots)


def seccomp_available() -> bool:
    """Whether this machine has a filter table (Linux on x86-64 or aarch64)."""
    return sys.platform.startswith("linux") and platform.machine() in _SYSCALLS


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install_seccomp() -> bool:
    """Install the filter on this process (and its threads to come); ``False`` where that is impossible."""
    program = seccomp_program(platform.machine(), os.getpid()) if sys.platform.startswith("linux") else None
    if program is None:
        return False
    libc = _libc()
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    fprog = _SockFprog(len(program) // 8, program)
    return bool(libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0)  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (the sandbox's last line of clean-up)."""
    parent = os.getppid()
    try:
        _libc().prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


# ----------------------------------------------------------------------------------------------------
# Landlock (Linux 5.13+): file access confined to a list of paths

_LANDLOCK_READ = (1 << 0) | (1 << 2) | (1 << 3)  # EXECUTE, READ_FILE, READ_DIR
_LANDLOCK_FILE = (1 << 0) | (1 << 1) | (1 << 2)  # EXECUTE, WRITE_FILE, READ_FILE (+ TRUNCATE, ABI 3)
_LANDLOCK_DEVICE = (1 << 1) | (1 << 2)  # WRITE_FILE, READ_FILE (+ TRUNCATE, ABI 3): open(os.devnull, "w")


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is unavailable); asked once per process."""
    if not sys.platform.startswith("linux"):  # system-call numbers mean other things elsewhere
        return 0
    try:
        return max(0, int(_libc().syscall(444, None, 0, 1)))  # LANDLOCK_CREATE_RULESET_VERSION
    except (OSError, AttributeError):
        return 0


def install_landlock(readable: list[str], writable: list[str]) -> bool:
    """Confine file access to ``readable`` (read), ``writable`` (all) and ``DEVICE_FILES`` (read and write).

    This is what isolates files in the fallback modes; inside bubblewrap it is a second wall.
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    truncate = 1 << 14 if abi >= 3 else 0
    handled = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | truncate
    libc = _libc()
    ruleset_attr = struct.pack("=Q", handled)
    ruleset = int(libc.syscall(444, ruleset_attr, len(ruleset_attr), 0))
    if ruleset < 0:
        return False
    devices = _LANDLOCK_DEVICE | truncate
    rules = [(readable, _LANDLOCK_READ), (writable, handled), (list(DEVICE_FILES), devices)]
    try:
        for paths, access in rules:
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = access if os.path.isdir(path) else access & (_LANDLOCK_FILE | truncate)
                    rule = struct.pack("=Qi", allowed, fd)  # struct landlock_path_beneath_attr (packed)
                    if libc.syscall(445, ruleset, 1, rule, 0) != 0:  # LANDLOCK_RULE_PATH_BENEATH
                        return False
                finally:
                    os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required by landlock_restrict_self
            return False
        return bool(libc.syscall(446, ruleset, 0) == 0)
    finally:
        os.close(ruleset)


# ----------------------------------------------------------------------------------------------------
# The zygote's own state, compared by the parent before each hand-over


def _count_lines(path: str) -> int:
    try:
        with open(path) as handle:
            return max(0, sum(1 for _ in handle) - 1)  # minus the header line
    except OSError:
        return -1


# Found once (in the zygote, before any fork): a worker that looked them up again would read the
# ``resource`` module's names and ``platform``'s caches, copying their pages.
_RLIMITS = tuple((name, getattr(resource, name)) for name in sorted(vars(resource)) if name[:7] == "RLIMIT_")
_IOPRIO_GET = {"x86_64": 252, "aarch64": 31}.get(platform.machine())


def process_state() -> dict[str, Any]:
    """This process's limits, identity and scheduling, and its umask: system calls only, no files read.

    A worker compares it before taking on another exercise (it may not open ``/proc`` by then).
    """
    libc = _libc()
    ioprio_get = _IOPRIO_GET
    umask = os.umask(0o077)  # the only way to read it is to set it: put it back at once
    os.umask(umask)
    limits = {name: list(resource.getrlimit(number)) for name, number in _RLIMITS}
    return {
        "rlimits": limits,
        "uid": list(os.getresuid()),
        "gid": list(os.getresgid()),
        "groups": sorted(os.getgroups()),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "group_nice": os.getpriority(os.PRIO_PGRP, 0),
        "policy": os.sched_getscheduler(0),
        "priority": os.sched_getparam(0).sched_priority,
        "affinity": sorted(os.sched_getaffinity(0)),
        "ioprio": int(libc.syscall(ioprio_get, 1, 0)) if ioprio_get else None,
        "umask": umask,
    }


def own_state() -> dict[str, Any]:
    """This process's limits, scheduling, identity and the SysV IPC objects and keys it can see."""
    return {
        **process_state(),
        "sysvipc": {kind: _count_lines(f"/proc/sysvipc/{kind}") for kind in ("shm", "sem", "msg")},
        "keys": _count_lines("/proc/keys") + 1,  # /proc/keys has no header line
    }
