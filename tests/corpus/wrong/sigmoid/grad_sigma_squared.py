# expect-hint: sigmoid_grad_formula
# mistake: confused the derivative with sigma squared
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) ** 2
