import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.e ** -np.asarray(x, dtype=float))


def sigmoid_grad(x):
    e = np.exp(-np.asarray(x, dtype=float))
    return e / (1 + e) ** 2
