# expect-hint: returned_none
# mistake: tanh_grad prints its value (left over from plotting) and returns nothing
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    y = (1 - tanh(x)) * (1 + tanh(x))
    print("tanh' =", y)
