# expect-hint: chain_rule_factor
# mistake: differentiated (1 + e^-x)^-1 as -1/(1 + e^-x)^2, forgetting the inner derivative -e^-x
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return -1 / (1 + np.exp(-x)) ** 2
