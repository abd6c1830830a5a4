# expect-hint: np_int_removed
# mistake: reused the slide's step method 2 (dtype=np.int) for the derivative
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return np.array(x > 0, dtype=np.int)
