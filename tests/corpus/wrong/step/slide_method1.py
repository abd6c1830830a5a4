# expect-hint: step_strict_at_zero
# mistake: copied the slide's method 1, (x > 0) * 1, which gives step(0) = 0 although the formula says z >= 0
import numpy as np


def step(x):
    return (x > 0) * 1


def bipolar_step(x):
    return (x > 0) * 2 - 1
