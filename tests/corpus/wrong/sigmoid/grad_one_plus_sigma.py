# expect-hint: sigmoid_grad_formula
# mistake: wrote sigma(1 + sigma) for the derivative
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) * (1 + sigmoid(x))
