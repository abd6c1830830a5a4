# expect-hint: returned_none
# mistake: printed the result as on the slide (print('step(3) = ', ...)) instead of returning it
import numpy as np


def step(x):
    y = (x >= 0) * 1
    print('step =', y)


def bipolar_step(x):
    y = (x >= 0) * 2 - 1
    print('bipolar_step =', y)
