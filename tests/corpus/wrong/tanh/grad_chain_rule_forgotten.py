# expect-hint: chain_rule_factor
# not-hint: tanh_via_sigmoid_x
# mistake: tanh = 2 sigmoid(2x) - 1 differentiated as 2 sigmoid'(2x), without the inner factor 2
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x):
    return 2 * sigmoid_grad(2 * x)
