# expect-hint: step_strict_at_zero
# mistake: copied np.heaviside(x, 0.5) from the NumPy documentation's example, so step(0) = 0.5 instead of 1
# known-gap: checks.py recognises at 0 only the "below zero" value (0, or -1 / 0 for bipolar), not 0.5
import numpy as np


def step(x):
    return np.heaviside(x, 0.5)


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
