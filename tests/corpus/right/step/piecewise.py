# approach: np.piecewise with the two cases of the formula
import numpy as np


def step(x):
    x = np.asarray(x, dtype=float)
    return np.piecewise(x, [x < 0, x >= 0], [0, 1])


def bipolar_step(x):
    x = np.asarray(x, dtype=float)
    return np.piecewise(x, [x < 0, x >= 0], [-1, 1])
