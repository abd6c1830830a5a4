# expect-hint: int_on_array
# mistake: turned the condition into a number with int(...), which only works for one value
import numpy as np


def step(x):
    return int(x >= 0)


def bipolar_step(x):
    return 2 * int(x >= 0) - 1
