# expect-hint: square_misplaced
# not-hint: missing_square
# mistake: read tanh²(x) as tanh(x²): 1 - np.tanh(x**2)
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x**2)
