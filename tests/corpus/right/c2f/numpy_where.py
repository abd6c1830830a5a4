# approach: np.where for the clamp, 9/5 written as 1.8
import numpy as np


def activate(z):
    return np.where(z < 32, 32, z)


def C2F(C):
    return activate(32 + 1.8 * C)
