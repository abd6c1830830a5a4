# expect-hint: scalar_input
# mistake: used the array method .astype(int); for step(3) the comparison 3 >= 0 is a Python bool, which has no astype
import numpy as np


def step(x):
    return (x >= 0).astype(int)


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
