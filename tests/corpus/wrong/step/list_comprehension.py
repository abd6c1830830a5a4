# expect-hint: list_result, loop_over_rows
# mistake: built the result element by element with a list comprehension and returned the list (rows of a 2-D input break it)
import numpy as np


def step(x):
    if np.ndim(x) == 0:
        return 1 if x >= 0 else 0
    return [1 if v >= 0 else 0 for v in x]


def bipolar_step(x):
    return np.where(x >= 0, 1, -1)
