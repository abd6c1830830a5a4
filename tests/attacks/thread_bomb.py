"""Attack: start threads until the process cannot make more; each thread spins."""

import threading


def _spin():
    while True:
        pass


def step(x):
    for _ in range(10_000):
        try:
            threading.Thread(target=_spin, daemon=True).start()
        except (RuntimeError, MemoryError):
            break
    return None


def bipolar_step(x):
    return None
