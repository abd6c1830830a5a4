"""Reference solution: the temperature converter C2F of the lecture, written as a neuron."""


def activate(z):
    """The converter's activation h(z): 32 if z < 32 else z (a clamp from below at 32)."""
    return 32 if z < 32 else z


def C2F(C):
    """Celsius to Fahrenheit as a neuron: h(z) with the net input z = 9/5 * C + 32 (scalars only)."""
    return activate(9 / 5 * C + 32)
