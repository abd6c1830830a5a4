# expect-hint: exp_sign
# mistake: swapped e^x and e^-x in the numerator, computing -tanh(x)
import numpy as np


def tanh(x):
    return (np.exp(-x) - np.exp(x)) / (np.exp(x) + np.exp(-x))


def tanh_grad(x):
    return 1 - tanh(x) ** 2
