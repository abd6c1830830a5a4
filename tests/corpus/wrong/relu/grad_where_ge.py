# expect-hint: relu_grad_at_zero
# mistake: np.where(x >= 0, 1, 0): the derivative at 0 should be 0 by the course's convention
import numpy as np


def relu(x):
    return np.where(x >= 0, x, 0)


def relu_grad(x):
    return np.where(x >= 0, 1, 0)
