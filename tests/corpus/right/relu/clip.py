# approach: np.clip(x, 0, None) and np.heaviside(x, 0) (0 at 0)
import numpy as np


def relu(x):
    return np.clip(x, 0, None)


def relu_grad(x):
    return np.heaviside(x, 0)
