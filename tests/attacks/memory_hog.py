"""Attack: allocate memory until something gives."""

HOARD = []


def step(x):
    while True:
        HOARD.append(bytearray(64 << 20))


def bipolar_step(x):
    import numpy as np

    return np.ones((1 << 20, 1 << 20))


# The same trick under every exercise's function names, so the file can replace any exercise.
sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = step
