# expect-hint: np_int_removed
# mistake: converted the input with np.float(...), removed from NumPy
import numpy as np


def tanh(x):
    x = np.asarray(x, dtype=np.float)
    return np.tanh(x)


def tanh_grad(x):
    return 1 - tanh(x) ** 2
