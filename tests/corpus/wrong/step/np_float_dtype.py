# expect-hint: np_int_removed
# mistake: wanted float output and wrote dtype=np.float, also removed from NumPy
import numpy as np


def step(x):
    return np.array(x >= 0, dtype=np.float)


def bipolar_step(x):
    return np.where(x >= 0, 1.0, -1.0)
