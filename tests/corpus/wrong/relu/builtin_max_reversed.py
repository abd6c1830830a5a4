# expect-hint: builtin_max_on_array
# mistake: wrote max(x, 0) with the built-in max, which cannot compare an array element-wise
import numpy as np


def relu(x):
    return max(x, 0)


def relu_grad(x):
    return np.where(x > 0, 1, 0)
