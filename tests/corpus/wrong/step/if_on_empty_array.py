# expect-hint: ambiguous_truth
# mistake: special-cases one-element arrays, then `if x >= 0` on the rest: NumPy 2 raises "truth value of an empty array is ambiguous"
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
