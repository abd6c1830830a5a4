# approach: math.tanh element by element with np.ndenumerate into a float array (a Python float for scalars)
import math

import numpy as np


def tanh(x):
    a = np.asarray(x, dtype=float)
    out = np.empty_like(a)
    for index, value in np.ndenumerate(a):
        out[index] = math.tanh(value)
    return out if a.ndim else float(out)


def tanh_grad(x):
    t = tanh(x)
    return 1 - t**2
