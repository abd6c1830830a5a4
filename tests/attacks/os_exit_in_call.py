"""Attack: os._exit(0) inside the function, hoping a vanished process counts as passed."""

import os


def step(x):
    os._exit(0)


def bipolar_step(x):
    os._exit(0)
