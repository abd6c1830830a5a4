# approach: the lecture's sigmoid; the derivative as sigma(x)(1 - sigma(x))
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))
