# expect-hint: ambiguous_truth
# mistake: copied the slide's first step(x) with `if x >= 0:`, which cannot work on arrays
import numpy as np


def step(x):
    if x >= 0:
        return 1
    else:
        return 0


def bipolar_step(x):
    if x >= 0:
        return 1
    else:
        return -1
