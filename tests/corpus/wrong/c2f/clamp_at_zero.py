# expect-hint: c2f_clamp_zero
# mistake: thought of the activation as "no negative output" and clamped at 0 instead of 32
import numpy as np


def activate(z):
    if z < 0:
        z = 0
    return z


def C2F(C):
    F = 9 / 5.0 * C + 32
    return activate(F)
