# approach: np.maximum for the clamp and the formula written as 9*C/5 + 32
import numpy as np


def activate(z):
    return np.maximum(z, 32)


def C2F(C):
    return activate(9 * C / 5 + 32)
