# expect-hint: input_mutated
# mistake: negated the argument in place with x *= -1, which changes the caller's array
import numpy as np


def sigmoid(x):
    x *= -1  # e^(-x)
    return 1 / (1 + np.exp(x))


def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
