"""Reference solution: the unipolar and bipolar step functions; h(0) = 1 because the formula says z >= 0."""

import numpy as np


def step(x):
    """Unipolar step: 1 if x >= 0 else 0, element-wise, as integers."""
    return np.where(np.asarray(x) >= 0, 1, 0)[()]


def bipolar_step(x):
    """Bipolar step: 1 if x >= 0 else -1, element-wise, as integers."""
    return np.where(np.asarray(x) >= 0, 1, -1)[()]
