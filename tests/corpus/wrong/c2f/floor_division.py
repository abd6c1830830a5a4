# expect-hint: c2f_floor_div
# mistake: used integer division 9//5 (= 1), so F = C + 32
import numpy as np


def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """converts Celcius to Fahrenheit"""
    F = 9 // 5 * C + 32
    return activate(F)
