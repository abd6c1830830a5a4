# expect-hint: missing_square
# mistake: typed tanh(x)*2 for the square, 1 - np.tanh(x)*2 instead of 1 - np.tanh(x)**2
# known-gap: checks.py has no candidate 1 - 2·tanh(x) for tanh_grad
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x) * 2
