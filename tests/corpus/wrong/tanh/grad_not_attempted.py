# expect-hint: not_attempted
# mistake: wrote tanh and left tanh_grad as the stub
import numpy as np


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    raise NotImplementedError("tanh_grad(x): not attempted yet")
