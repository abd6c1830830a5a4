# expect-hint: c2f_clamp_before_linear
# mistake: applied activate to the input C and then did the linear part
import numpy as np


def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """converts Celcius to Fahrenheit"""
    return 9 / 5 * activate(C) + 32
