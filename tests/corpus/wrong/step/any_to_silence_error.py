# expect-hint: scalar_for_array
# mistake: wrote (x >= 0).any() to get rid of the ambiguous-truth error
import numpy as np


def step(x):
    x = np.asarray(x)
    if (x >= 0).any():
        return 1
    return 0


def bipolar_step(x):
    x = np.asarray(x)
    if (x >= 0).any():
        return 1
    return -1
