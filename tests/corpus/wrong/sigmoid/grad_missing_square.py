# expect-hint: missing_square
# mistake: copied the derivative e^-x / (1 + e^-x)^2 but forgot the square
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return np.exp(-x) / (1 + np.exp(-x))
