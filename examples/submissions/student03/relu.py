import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return np.where(np.asarray(x) > 0, 1, 0)
