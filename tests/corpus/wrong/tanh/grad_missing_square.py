# expect-hint: missing_square
# mistake: tanh_grad = 1 - tanh(x), the square is missing
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x)
