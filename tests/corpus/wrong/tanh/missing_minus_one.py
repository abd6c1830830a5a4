# expect-hint: tanh_missing_minus_one
# mistake: wrote tanh as 2*sigmoid(2x) and forgot the - 1
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return 2 * sigmoid(2 * x)


def tanh_grad(x):
    return 1 - np.tanh(x) ** 2
