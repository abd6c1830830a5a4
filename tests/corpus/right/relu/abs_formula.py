# approach: (x + |x|) / 2, and the derivative as the sign of relu(x)
import numpy as np


def relu(x):
    return (x + np.abs(x)) / 2


def relu_grad(x):
    return np.sign(np.maximum(x, 0))
