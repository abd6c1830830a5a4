# approach: reuses the student's own sigmoid.py (from sigmoid import sigmoid), tanh = 2 sigmoid(2x) - 1
# needs: sigmoid/lecture_slide.py
from sigmoid import sigmoid


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x):
    t = tanh(x)
    return (1 - t) * (1 + t)
