# expect-hint: int_on_array
# mistake: relu_grad converts the condition with int(...), which only works for one value
import numpy as np


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return int(x > 0)
