# expect-hint: bool_result
# mistake: returned the comparison itself, a boolean (array), without turning it into numbers
import numpy as np


def step(x):
    return x >= 0


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
