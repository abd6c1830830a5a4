"""Reuse of running sandboxes: a finished submission hands its sandbox to the next one, when that is sound.

A sandbox is handed on only in the strong mode, where its zygote said the seccomp filter and Landlock
confine every worker; only after every worker of the finished submission is confirmed dead and its files
are deleted; and only if the zygote's own limits, scheduling, identity and SysV IPC objects are exactly what
they were when it started (``RunningSandbox.unchanged``). Otherwise it is stopped. The pool belongs to one
process: a forked ``--jobs`` worker forgets its parent's idle sandboxes and stops its own when it exits.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import threading
from collections.abc import Sequence

from activation_lab.sandbox.host import RunningSandbox
from activation_lab.sandbox.limits import Limits

REUSE_ENV = "ACTIVATION_LAB_SANDBOX_REUSE"  # "0": a fresh sandbox for every submission
MAX_SUBMISSIONS_PER_SANDBOX = 100  # a reused sandbox is replaced after this many submissions
MAX_IDLE_HOSTS = 4  # idle sandboxes kept per (isolation, limits)

_POOL_LOCK = threading.Lock()
_IDLE_HOSTS: dict[tuple[str, Limits], list[RunningSandbox]] = {}
_EXIT_HOOK_PID = 0


def reuse_allowed(isolation: str) -> bool:
    """Whether this mode and the environment allow handing sandboxes on (the zygote must agree too)."""
    return isolation == "bwrap" and os.environ.get(REUSE_ENV, "1").strip() != "0"


def acquire(limits: Limits, isolation: str, preload: Sequence[str] = ()) -> RunningSandbox:
    """An idle sandbox for these limits, or a new one whose zygote imports ``preload`` as it starts."""
    if reuse_allowed(isolation):
        with _POOL_LOCK:
            idle = _IDLE_HOSTS.get((isolation, limits), [])
            while idle:
                host = idle.pop()
                if host.alive():
                    return host
                host.close()
    return RunningSandbox(limits, isolation, preload)


def release(host: RunningSandbox) -> None:
    """Keep a sandbox whose submission ended cleanly for the next one (or stop it if the pool is full)."""
    global _EXIT_HOOK_PID
    if host.served >= MAX_SUBMISSIONS_PER_SANDBOX or not reuse_allowed(host.isolation):
        host.close()
        return
    if _EXIT_HOOK_PID != os.getpid():
        # A multiprocessing worker (--jobs) leaves through os._exit, which skips atexit; it runs the
        # finalizers registered in it, though (not those inherited from its parent).
        multiprocessing.util.Finalize(None, close_idle_sandboxes, exitpriority=10)
        _EXIT_HOOK_PID = os.getpid()
    with _POOL_LOCK:
        idle = _IDLE_HOSTS.setdefault((host.isolation, host.limits), [])
        if len(idle) < MAX_IDLE_HOSTS:
            idle.append(host)
            return
    host.close()


def _forget_inherited_hosts() -> None:
    """In a forked child: the parent's idle sandboxes are not ours to use or to stop."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _IDLE_HOSTS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_hosts)


@atexit.register
def close_idle_sandboxes() -> None:
    """Stop every idle sandbox kept for reuse (also run at interpreter exit)."""
    with _POOL_LOCK:
        hosts = [host for idle in _IDLE_HOSTS.values() for host in idle]
        _IDLE_HOSTS.clear()
    for host in hosts:
        host.close()
