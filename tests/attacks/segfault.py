"""Attack: crash the interpreter with a segmentation fault through ctypes."""

import ctypes


def step(x):
    ctypes.string_at(0)


def bipolar_step(x):
    ctypes.memset(0, 0, 1 << 20)
