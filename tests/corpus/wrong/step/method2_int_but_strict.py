# expect-hint: step_strict_at_zero
# mistake: fixed np.int -> int in the slide's method 2 but kept x > 0
import numpy as np


def step(x):
    return np.array(x > 0, dtype=int)


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
