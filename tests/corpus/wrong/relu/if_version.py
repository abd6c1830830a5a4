# expect-hint: ambiguous_truth
# mistake: wrote ReLU with `if x >= 0:` like the slide's first step function
import numpy as np


def relu(x):
    if x >= 0:
        return x
    else:
        return 0


def relu_grad(x):
    if x > 0:
        return 1
    else:
        return 0
