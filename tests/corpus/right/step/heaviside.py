# approach: np.heaviside(x, 1) (value 1 at 0, as the formula says)
import numpy as np


def step(x):
    return np.heaviside(x, 1)


def bipolar_step(x):
    return 2 * np.heaviside(x, 1) - 1
