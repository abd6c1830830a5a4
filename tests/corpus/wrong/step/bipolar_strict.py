# expect-hint: step_strict_at_zero
# mistake: bipolar_step uses x > 0, so bipolar_step(0) = -1 (the formula says 1)
import numpy as np


def step(x):
    return np.where(x >= 0, 1, 0)


def bipolar_step(x):
    return np.where(x > 0, 1, -1)
