# expect-hint: int_on_array
# mistake: wrapped the input in float() "to be safe", which fails for arrays
import numpy as np


def sigmoid(x):
    x = float(x)
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
