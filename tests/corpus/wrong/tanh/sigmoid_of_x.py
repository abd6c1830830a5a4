# expect-hint: tanh_via_sigmoid_x
# mistake: wrote tanh as 2*sigmoid(x) - 1, forgetting the 2x inside the sigmoid
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return 2 * sigmoid(x) - 1


def tanh_grad(x):
    return 1 - tanh(x) ** 2
