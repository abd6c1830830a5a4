# expect-hint: list_result
# mistake: looped over the input with append and returned the Python list
import numpy as np


def relu(x):
    if np.ndim(x) == 0:
        return max(0, x)
    result = []
    for v in np.ravel(x):
        result.append(v if v > 0 else 0)
    return result


def relu_grad(x):
    return np.where(x > 0, 1, 0)
