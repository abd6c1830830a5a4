"""Attack: try to reach the network (exfiltrate, fetch answers) and leave a marker if anything answered."""

import os
import socket

MARKER = "__MARKER__"


def _probe():
    reached = []
    for family, address in (
        (socket.AF_INET, ("1.1.1.1", 53)),
        (socket.AF_INET, ("127.0.0.1", 22)),
        (socket.AF_INET6, ("::1", 80)),
    ):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(address)
                reached.append(address)
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        reached.append("dns")
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect("/var/run/docker.sock")
            reached.append("docker")
    except OSError:
        pass
    if reached:
        with open(os.path.join(MARKER, "network-reached"), "w") as handle:
            handle.write(repr(reached))
    return reached


def step(x):
    _probe()
    return None


def bipolar_step(x):
    return None
