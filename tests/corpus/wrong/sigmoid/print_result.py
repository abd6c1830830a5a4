# expect-hint: returned_none
# mistake: printed sigmoid(x) as on the slide's plot cell instead of returning it
import numpy as np


def sigmoid(x):
    y = 1 / (1 + np.exp(-x))
    print(y)


def sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)
