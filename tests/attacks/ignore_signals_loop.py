"""Attack: ignore every catchable signal and spin forever, hoping the grader waits."""

import signal

for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM, signal.SIGUSR1):
    signal.signal(number, signal.SIG_IGN)


def step(x):
    while True:
        pass


def bipolar_step(x):
    while True:
        pass
