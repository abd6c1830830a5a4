# expect-hint: int_truncation
# mistake: copied .astype(int) from the step function into the derivative, which truncates every value to 0
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return np.asarray(s * (1 - s)).astype(int)
