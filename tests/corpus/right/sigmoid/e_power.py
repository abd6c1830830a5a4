# approach: np.e ** -x, and the derivative as e^-x / (1 + e^-x)^2 from the slide's derivation
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.e ** -x)


def sigmoid_grad(x):
    return np.e ** -x / (1 + np.e ** -x) ** 2
