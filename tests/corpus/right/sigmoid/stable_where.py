# approach: numerically stable sigmoid, choosing the form by the sign of x (no overflow warnings)
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
