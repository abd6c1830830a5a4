import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))
