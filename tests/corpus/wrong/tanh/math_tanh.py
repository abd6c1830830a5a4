# expect-hint: math_on_array
# mistake: used math.tanh, which only takes one number
import math

import numpy as np


def tanh(x):
    return math.tanh(x)


def tanh_grad(x):
    return 1 - math.tanh(x) ** 2
