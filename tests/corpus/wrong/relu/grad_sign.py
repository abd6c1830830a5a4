# expect-hint: relu_grad_sign
# mistake: used np.sign(x) as the derivative, which is -1 (not 0) for negative inputs
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return np.sign(x)
