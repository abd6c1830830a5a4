# expect-hint: not_attempted
# mistake: wrote sigmoid from the slide and left sigmoid_grad as the stub
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    """σ'(x) = σ(x)(1 − σ(x))"""
    raise NotImplementedError("sigmoid_grad(x): not attempted yet")
