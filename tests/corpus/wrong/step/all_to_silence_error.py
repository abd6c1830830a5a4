# expect-hint: scalar_for_array
# mistake: followed the error message's advice "Use a.any() or a.all()", so an array gets one number back
import numpy as np


def step(x):
    if np.all(x >= 0):
        return 1
    else:
        return 0


def bipolar_step(x):
    if np.all(x >= 0):
        return 1
    else:
        return -1
