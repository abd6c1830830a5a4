# expect-hint: approx_e
# mistake: typed e as 2.718 from the slide ("자연 상수, 2.7182...")
import numpy as np

e = 2.718


def sigmoid(x):
    return 1 / (1 + e ** (-x))


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))
