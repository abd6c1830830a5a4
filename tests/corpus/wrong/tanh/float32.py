# expect-hint: low_precision
# mistake: computed in float32 (as in some deep-learning code) instead of float64
import numpy as np


def tanh(x):
    x = np.asarray(x, dtype=np.float32)
    return np.tanh(x)


def tanh_grad(x):
    t = tanh(x)
    return 1 - t**2
