import numpy as np


def step(x):
    if x >= 0:
        return 1
    else:
        return 0


def bipolar_step(x):
    return np.array(x > 0, dtype=np.int) * 2 - 1
