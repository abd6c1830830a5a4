"""Attack: rewrite the harness's encoder in the worker so that a wrong answer is sent as a forged encoding."""

import sys

import numpy as np

harness = sys.modules.get("__main__")


def _forged(value, **kwargs):
    return {"dtype": "<f8", "shape": [1], "npy": "bm90IGFuIG5weSBmaWxl"}


for module in list(sys.modules.values()):
    if getattr(module, "encode_value", None) is not None:
        module.encode_value = _forged


def step(x):
    return np.full(np.shape(x), 0.5)


def bipolar_step(x):
    return np.full(np.shape(x), 0.5)
