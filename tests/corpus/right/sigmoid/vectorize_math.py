# approach: a scalar math.exp function lifted with np.vectorize (otypes keeps float dtype, even for empty arrays)
import math

import numpy as np


def _sigmoid_one(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


sigmoid = np.vectorize(_sigmoid_one, otypes=[float])


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
