"""Attack: a fork bomb (it stops after 10 000 forks, so that a broken sandbox cannot take the machine)."""

import os
import subprocess

TOKEN = "__TOKEN__"


def _bomb():
    children = 0
    for _ in range(10_000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.execv("/bin/sh", ["/bin/sh", "-c", f"sleep 30 # {TOKEN}"])
        children += 1
    try:
        subprocess.Popen(["/bin/sh", "-c", f"sleep 30 # {TOKEN}"])
    except OSError:
        pass
    return children


def step(x):
    _bomb()
    return None


def bipolar_step(x):
    _bomb()
    return None
