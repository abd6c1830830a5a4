# expect-hint: ambiguous_truth
# mistake: loops over a 1-d array with `if`, but tests one value per call with `if x >= 0` on the rest (fails on empty arrays)
import numpy as np


def step(x):
    x = np.asarray(x)
    if x.size == 1:
        return np.ones_like(x) if x >= 0 else np.zeros_like(x)
    if x >= 0:
        return np.ones_like(x)
    return np.zeros_like(x)


def bipolar_step(x):
    return np.where(np.asarray(x) >= 0, 1, -1)
