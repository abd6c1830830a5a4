# expect-hint: builtin_max_on_array
# mistake: used Python's built-in max(0, x), which cannot compare element-wise
import numpy as np


def relu(x):
    return max(0, x)


def relu_grad(x):
    return (x > 0) * 1
