import numpy as np


def relu(x):
    x = np.asarray(x)
    x[x < 0] = 0
    return x


def relu_grad(x):
    print(np.where(np.asarray(x) > 0, 1, 0))
