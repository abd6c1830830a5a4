"""Attack: return an object that claims to equal anything (otter-grader's classic weakness)."""


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 1.0

    def __array__(self, *args, **kwargs):
        import numpy as np

        return np.ones(1)

    __hash__ = object.__hash__


def step(x):
    return AlwaysEqual()


def bipolar_step(x):
    return AlwaysEqual()


# The same trick under every exercise's function names, so the file can replace any exercise.
sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = step
