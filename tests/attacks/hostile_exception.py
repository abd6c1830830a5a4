"""Attack: raise an exception whose message and class name are hostile (endless __str__, fake type name)."""


class Meta(type):
    @property
    def __name__(cls):
        return "AssertionPassed"


class Sneaky(Exception, metaclass=Meta):
    def __str__(self):
        while True:
            pass


class Loud(Exception):
    def __str__(self):
        return "PASSED " * 1_000_000


def step(x):
    raise Sneaky()


def bipolar_step(x):
    raise Loud()
