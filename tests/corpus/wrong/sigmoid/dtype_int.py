# expect-hint: int_truncation
# mistake: reused the slide's np.array(..., dtype=int) pattern for sigmoid, so every value is cut to 0 (or 1)
import numpy as np


def sigmoid(x):
    return np.array(1 / (1 + np.exp(-x)), dtype=int)


def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
