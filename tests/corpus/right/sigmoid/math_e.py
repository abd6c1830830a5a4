# approach: math.e ** -x (math.e is the exact float64 e; ** works element-wise on arrays)
import math


def sigmoid(x):
    return 1 / (1 + math.e ** -x)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
