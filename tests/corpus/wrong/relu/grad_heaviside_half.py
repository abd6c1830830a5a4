# expect-hint: relu_grad_at_zero
# mistake: used np.heaviside(x, 0.5) from the NumPy docs as the derivative, so relu_grad(0) = 0.5 instead of 0
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return np.heaviside(x, 0.5)
