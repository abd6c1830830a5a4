"""Attack: read the reference solution from the repository and run it (the repo path is known)."""

import os

REPO = "__REPO__"
CANARY = "__CANARY__"
CANDIDATES = [
    os.path.join(REPO, "solutions", "step.py"),
    os.path.join(CANARY, "solutions", "step.py"),
    "../solutions/step.py",
    "../../solutions/step.py",
    "/work/main/solutions/step.py",
    os.path.expanduser("~/solutions/step.py"),
]


def _stolen():
    for path in CANDIDATES:
        try:
            with open(path) as handle:
                namespace = {}
                exec(handle.read(), namespace)
                return namespace
        except OSError:
            continue
    return None


STOLEN = _stolen()


def step(x):
    return STOLEN["step"](x) if STOLEN else None


def bipolar_step(x):
    return STOLEN["bipolar_step"](x) if STOLEN else None
