# expect-hint: missing_parentheses
# mistake: wrote sigmoid(x)*1 - sigmoid(x) for sigmoid(x)*(1 - sigmoid(x)), which is always 0
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) * 1 - sigmoid(x)
