"""Attack: flood stdout and stderr (Python-level and raw file descriptors) to drown the grader's output."""

import os
import sys

print("x" * (10 << 20))


def step(x):
    for _ in range(200):
        sys.stdout.write("PASSED " * 100_000)
        sys.stderr.write("PASSED " * 100_000)
    for fd in (1, 2):
        try:
            os.write(fd, b"y" * (10 << 20))
        except OSError:
            pass
    return None


def bipolar_step(x):
    return step(x)
