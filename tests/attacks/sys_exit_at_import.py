"""Attack: leave the grader early with sys.exit(0) while the module is imported."""

import sys

sys.exit(0)


def step(x):
    return 1
