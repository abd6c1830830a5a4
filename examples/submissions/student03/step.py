import numpy as np


def step(x):
    # 방법 1 (슬라이드)
    y = x > 0
    return y * 1


def bipolar_step(x):
    return np.where(np.asarray(x) > 0, 1, -1)
