"""Attack: start a detached process (setsid) that outlives grading and writes a marker file later."""

import os
import subprocess

MARKER = "__MARKER__"
TOKEN = "__TOKEN__"
LATER = f"sleep 2; touch {MARKER}/orphan-was-here # {TOKEN}"


def _detach():
    try:
        subprocess.Popen(["/bin/sh", "-c", LATER], start_new_session=True)
    except OSError:
        pass
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:
        os.setsid()
        os.execv("/bin/sh", ["/bin/sh", "-c", LATER])


_detach()


def step(x):
    _detach()
    return None


def bipolar_step(x):
    return None
