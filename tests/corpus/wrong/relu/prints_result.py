# expect-hint: returned_none
# mistake: relu prints np.maximum(0, x) instead of returning it
import numpy as np


def relu(x):
    print(np.maximum(0, x))


def relu_grad(x):
    return (x > 0) * 1
