# expect-hint: unfinished_import
# mistake: a finished tanh.py that reuses sigmoid.py (from sigmoid import sigmoid) while sigmoid.py is still the stub
# needs: exercises/sigmoid.py
from sigmoid import sigmoid


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x):
    return 1 - tanh(x) ** 2
