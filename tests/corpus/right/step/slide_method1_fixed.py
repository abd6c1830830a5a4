# approach: the slide's method 1 with >= as the formula says: (x >= 0) * 1
import numpy as np


def step(x):
    return (x >= 0) * 1


def bipolar_step(x):
    return (x >= 0) * 2 - 1
