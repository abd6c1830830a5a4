from sigmoid import sigmoid


def tanh(x):
    return 2 * sigmoid(x) - 1


def tanh_grad(x):
    return 1 - tanh(x) ** 2
