# approach: x * (x > 0) and np.where for the derivative
import numpy as np


def relu(x):
    return x * (x > 0)


def relu_grad(x):
    return np.where(x > 0, 1, 0)
