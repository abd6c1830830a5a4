# expect-hint: math_on_array
# mistake: used math.exp, which only takes one number, so arrays fail
import math

import numpy as np


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
