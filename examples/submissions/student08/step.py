import numpy as np


def step(x):
    return np.array(x >= 0, dtype=int)


def bipolar_step(x):
    return np.where(np.asarray(x) >= 0, 1, -1)
