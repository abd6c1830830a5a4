"""Attack: an ndarray subclass whose comparisons and ufuncs always report a match."""

import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.ones(np.broadcast(*[np.asarray(i) for i in inputs]).shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


def step(x):
    return np.zeros(np.shape(x)).view(Liar)


def bipolar_step(x):
    return np.zeros(np.shape(x)).view(Liar)
