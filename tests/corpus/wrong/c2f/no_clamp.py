# expect-hint: c2f_no_clamp
# mistake: wrote activate but forgot to call it: C2F returns the raw net input
import numpy as np


def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """converts Celcius to Fahrenheit"""
    F = 9 / 5.0 * C + 32
    return F
