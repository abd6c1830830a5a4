"""Attack: raise SystemExit(0) inside the function, hoping the test runner stops with success."""

import sys


def step(x):
    sys.exit(0)


def bipolar_step(x):
    raise KeyboardInterrupt
