# approach: the slide's middle step (1 - e^-2x) / (1 + e^-2x)
import numpy as np


def tanh(x):
    e = np.exp(-2 * np.asarray(x, dtype=float))
    return (1 - e) / (1 + e)


def tanh_grad(x):
    return 1 - np.square(tanh(x))
