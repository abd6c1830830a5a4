# expect-hint: c2f_inverted_ratio
# mistake: wrote the weight as 5/9 (the Fahrenheit-to-Celsius factor) instead of 9/5
import numpy as np


def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """converts Celsius to Fahrenheit"""
    F = 5 / 9 * C + 32
    return activate(F)
