"""Attack: kill the importing process with os._exit(0), hoping it reads as a clean pass."""

import os

os._exit(0)


def step(x):
    return 1
