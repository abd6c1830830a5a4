# expect-hint: approx_e
# mistake: used e = 2.718 in the exp formula
import numpy as np

e = 2.718


def tanh(x):
    return (e**x - e ** (-x)) / (e**x + e ** (-x))


def tanh_grad(x):
    return 1 - tanh(x) ** 2
