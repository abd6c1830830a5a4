# expect-hint: input_mutated
# mistake: used the slide's boolean indexing to overwrite the argument in place
import numpy as np


def step(x):
    x = np.asarray(x)
    x[x >= 0] = 1
    x[x < 0] = 0
    return x


def bipolar_step(x):
    x = np.array(x)  # a copy
    x[x >= 0] = 1
    x[x < 0] = -1
    return x
