# expect-hint: step_strict_at_zero
# mistake: copied np.heaviside(x, 0.5) from the NumPy documentation's example, so step(0) = 0.5 instead of 1
import numpy as np


def step(x):
    return np.heaviside(x, 0.5)


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
