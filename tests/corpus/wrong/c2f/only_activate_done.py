# expect-hint: not_attempted
# mistake: finished activate but left the C2F stub untouched
import numpy as np


def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """converts Celsius to Fahrenheit"""
    raise NotImplementedError("C2F(C): not attempted yet")
