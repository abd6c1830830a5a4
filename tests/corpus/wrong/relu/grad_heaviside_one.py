# expect-hint: relu_grad_at_zero
# mistake: reused the step function np.heaviside(x, 1) as the derivative, which is 1 at 0
import numpy as np


def relu(x):
    return np.maximum(x, 0)


def relu_grad(x):
    return np.heaviside(x, 1)
