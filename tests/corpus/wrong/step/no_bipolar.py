# expect-hint: missing_function
# mistake: implemented only the unipolar step and forgot bipolar_step
import numpy as np


def step(x):
    return np.array(x >= 0, dtype=int)
