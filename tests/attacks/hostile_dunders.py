"""Attack: return objects whose __repr__, __float__, __array__, __len__ and __class__ misbehave."""

import os

MARKER = "__MARKER__"


def _touch(name):
    with open(os.path.join(MARKER, name), "w"):
        pass


class Hostile:
    def __repr__(self):
        _touch("repr-called")
        while True:
            pass

    __str__ = __repr__

    def __float__(self):
        _touch("float-called")
        raise SystemExit(0)

    def __array__(self, *args, **kwargs):
        _touch("array-called")
        os._exit(0)

    def __len__(self):
        _touch("len-called")
        return 10**18

    def __eq__(self, other):
        return True

    @property
    def __class__(self):
        return float

    __hash__ = object.__hash__


def step(x):
    return Hostile()


def bipolar_step(x):
    return [Hostile(), Hostile()]
