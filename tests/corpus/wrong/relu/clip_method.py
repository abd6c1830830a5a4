# expect-hint: scalar_input
# mistake: called the ndarray method x.clip(min=0), which a plain Python number such as relu(3) does not have
import numpy as np


def relu(x):
    return x.clip(min=0)


def relu_grad(x):
    return np.where(x > 0, 1, 0)
