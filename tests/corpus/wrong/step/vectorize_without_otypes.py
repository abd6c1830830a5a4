# expect-hint: vectorize_otypes
# mistake: wrapped the slide's if-version in np.vectorize without otypes, which fails on an empty array
import numpy as np


def _step_one(z):
    if z >= 0:
        return 1
    return 0


def _bipolar_one(z):
    if z >= 0:
        return 1
    return -1


step = np.vectorize(_step_one)
bipolar_step = np.vectorize(_bipolar_one)
