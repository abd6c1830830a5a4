from sigmoid import sigmoid


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x):
    t = tanh(x)
    return (1 - t) * (1 + t)
