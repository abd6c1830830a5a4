# expect-hint: sigmoid_grad_sign
# mistake: sigmoid_grad = s * (s - 1), the factor written the wrong way round
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (s - 1)
