# expect-hint: step_strict_at_zero
# mistake: used np.sign for the bipolar step, which gives 0 at 0 (the formula says 1)
import numpy as np


def step(x):
    return np.heaviside(x, 1)


def bipolar_step(x):
    return np.sign(x)
