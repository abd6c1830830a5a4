# expect-hint: floor_division
# not-hint: missing_parentheses, rounded_result, int_truncation
# mistake: typed `//` for `/`, so 1 // (1 + e^-x) is always 0
import numpy as np


def sigmoid(x):
    return 1 // (1 + np.exp(-x))


def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
