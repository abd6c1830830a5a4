# expect-hint: bool_result
# mistake: used the slide's method 2 with dtype=bool "since np.int is gone"
import numpy as np


def step(x):
    return np.array(x >= 0, dtype=bool)


def bipolar_step(x):
    return np.array(x >= 0, dtype=int) * 2 - 1
