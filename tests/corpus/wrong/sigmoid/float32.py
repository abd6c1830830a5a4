# expect-hint: low_precision
# mistake: converted the input to float32 "to save memory", losing precision
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=np.float32)
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
