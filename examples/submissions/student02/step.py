import numpy as np


def step(x):
    # 슬라이드의 첫 번째 버전
    if x >= 0:
        return 1
    else:
        return 0


def bipolar_step(x):
    if x >= 0:
        return 1
    else:
        return -1
