e = 2.7182


def sigmoid(x):
    return 1 / (1 + e ** -x)


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))
