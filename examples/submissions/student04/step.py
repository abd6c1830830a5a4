import numpy as np


def step(x):
    # 방법 2 (슬라이드)
    return np.array(x > 0, dtype=np.int)


def bipolar_step(x):
    return np.array(x > 0, dtype=np.int) * 2 - 1
