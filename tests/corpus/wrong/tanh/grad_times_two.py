# expect-hint: missing_square
# mistake: typed tanh(x)*2 for the square, 1 - np.tanh(x)*2 instead of 1 - np.tanh(x)**2
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x) * 2
