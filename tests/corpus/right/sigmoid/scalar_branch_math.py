# approach: math.exp for scalars (np.ndim(x) == 0) and np.exp for arrays
import math

import numpy as np


def sigmoid(x):
    if np.ndim(x) == 0:
        return 1 / (1 + math.exp(-float(x)))
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
