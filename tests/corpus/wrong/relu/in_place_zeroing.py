# expect-hint: input_mutated
# mistake: set the negative entries of the argument to 0 in place
import numpy as np


def relu(x):
    x = np.asarray(x)
    x[x < 0] = 0
    return x


def relu_grad(x):
    return np.where(x > 0, 1, 0)
