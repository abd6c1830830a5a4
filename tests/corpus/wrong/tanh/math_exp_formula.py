# expect-hint: math_on_array
# mistake: wrote the exp formula with math.exp, which fails on arrays
from math import exp


def tanh(x):
    return (exp(x) - exp(-x)) / (exp(x) + exp(-x))


def tanh_grad(x):
    t = tanh(x)
    return 1 - t * t
