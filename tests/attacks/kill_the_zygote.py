"""Attack: signal or trace the sandbox's other processes (the zygote, sibling workers, the grader)."""

import os
import signal


def _attack():
    for pid in [*range(1, 64), os.getppid(), -1, 0]:
        if pid == os.getpid():
            continue
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    except OSError:
        pass


_attack()


def step(x):
    _attack()
    return None


def bipolar_step(x):
    return None
