# expect-hint: bool_result
# mistake: returned x > 0, a boolean array, as the derivative
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return x > 0
