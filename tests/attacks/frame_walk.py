"""Attack: walk up the call stack looking for the expected value or the reference solution."""

import sys


def _loot():
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()) + list(frame.f_globals.items()):
            if name in ("expected", "reference", "want", "solution") and value is not None:
                return value
            if callable(getattr(value, "step", None)) and getattr(value, "__name__", "") != __name__:
                return value
        frame = frame.f_back
    return None


def step(x):
    found = _loot()
    if callable(getattr(found, "step", None)):
        return found.step(x)
    return found


def bipolar_step(x):
    found = _loot()
    if callable(getattr(found, "bipolar_step", None)):
        return found.bipolar_step(x)
    return found
