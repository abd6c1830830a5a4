# expect-hint: approx_e
# mistake: used the slide's four digits e = 2.7182 in the 1/(1 + 1/e^x) form
import numpy as np

E = 2.7182


def sigmoid(x):
    return 1 / (1 + 1 / E**x)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
