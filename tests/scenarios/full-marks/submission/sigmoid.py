"""Reference solution: the sigmoid σ(x) = 1 / (1 + e^(−x)) and its derivative σ(x)(1 − σ(x))."""

import numpy as np


def _exp_minus_abs(x):
    """e^(−|x|) in float64: never overflows, so no warning even for |x| far beyond 700."""
    return np.exp(-np.abs(np.asarray(x, dtype=float)))


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), computed as e^(−|x|)-based halves so that no input overflows."""
    x = np.asarray(x, dtype=float)
    e = _exp_minus_abs(x)
    # x >= 0: 1 / (1 + e^(-x)); x < 0: multiply through by e^x, e^x / (1 + e^x). Same value, no overflow.
    result = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return result[()]  # a NumPy scalar for scalar / 0-d input, like a ufunc


def sigmoid_grad(x):
    """σ'(x) = σ(x)(1 − σ(x)) = e^(−|x|) / (1 + e^(−|x|))², exact for both signs since σ' is even."""
    e = _exp_minus_abs(x)
    result = e / (1 + e) ** 2
    return result[()]
