# expect-hint: missing_function
# mistake: implemented relu only and never wrote relu_grad
import numpy as np


def relu(x):
    return np.maximum(0, x)
