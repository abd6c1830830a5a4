# approach: the slide's second form 1 / (1 + 1/e^x)
import numpy as np


def sigmoid(x):
    return 1 / (1 + 1 / np.exp(x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s - s**2
