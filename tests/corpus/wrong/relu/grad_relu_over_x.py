# expect-hint: relu_grad_division
# not-hint: relu_grad_at_zero
# mistake: relu_grad = relu(x) / x, which is 0/0 = nan at 0
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return relu(x) / x
