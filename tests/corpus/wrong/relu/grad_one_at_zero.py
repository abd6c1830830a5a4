# expect-hint: relu_grad_at_zero
# mistake: relu_grad uses x >= 0 (like the step function), so relu_grad(0) = 1
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return (x >= 0) * 1
