# expect-hint: tanh_grad_slide_typo
# mistake: typed the derivative from the slide line that divides by (1 + e^-x)^2 instead of (e^x + e^-x)^2
import numpy as np


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_grad(x):
    numerator = (np.exp(x) + np.exp(-x)) ** 2 - (np.exp(x) - np.exp(-x)) ** 2
    return numerator / (1 + np.exp(-x)) ** 2
