"""Attack: wait for input that never comes (or read the grader's stdin)."""

import sys

ANSWER = sys.stdin.read()


def step(x):
    return int(input("step? "))


def bipolar_step(x):
    return int(sys.stdin.readline() or "nope")
