"""Reference solution: the hyperbolic tangent and its derivative 1 − tanh²(x)."""

import numpy as np


def tanh(x):
    """tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1; NumPy's tanh is finite for every input."""
    return np.tanh(np.asarray(x, dtype=float))[()]


def tanh_grad(x):
    """tanh'(x) = 1 − tanh²(x)."""
    t = np.tanh(np.asarray(x, dtype=float))
    return (1 - t * t)[()]
