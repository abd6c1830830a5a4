# expect-hint: bipolar_zero
# mistake: copy-pasted step into bipolar_step and forgot to change 0 to -1
import numpy as np


def step(x):
    return (x >= 0) * 1


def bipolar_step(x):
    return np.where(x >= 0, 1, 0)
