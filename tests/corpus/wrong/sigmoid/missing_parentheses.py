# expect-hint: missing_parentheses
# mistake: typed 1/1+np.exp(-x) without parentheses, which computes 1 + e^(-x)
import numpy as np


def sigmoid(x):
    return 1/1+np.exp(-x)


def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
