# approach: sigma(x) = (1 + tanh(x/2)) / 2, an algebraically equal form
import numpy as np


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)
