# expect-hint: builtin_max_on_array
# mistake: wrote np.max(0, x) (the largest element; the second argument is an axis) instead of np.maximum(0, x)
import numpy as np


def relu(x):
    return np.max(0, x)


def relu_grad(x):
    return (x > 0) * 1
