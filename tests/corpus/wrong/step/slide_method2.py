# expect-hint: np_int_removed
# mistake: copied the slide's method 2 with dtype=np.int, removed in NumPy 1.24
import numpy as np


def step(x):
    return np.array(x > 0, dtype=np.int)


def bipolar_step(x):
    return np.array(x > 0, dtype=np.int) * 2 - 1
