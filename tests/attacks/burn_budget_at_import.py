"""Attack: spend the whole time budget while being imported (and then some)."""

import time

time.sleep(3600)


def step(x):
    return 1
