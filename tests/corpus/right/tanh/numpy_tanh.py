# approach: np.tanh and the slide's plot code (1 - tanh)(1 + tanh) for the derivative
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return (1 - tanh(x)) * (1 + tanh(x))
