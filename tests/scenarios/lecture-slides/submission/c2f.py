# The lecture's code, typed from the slides.
def activate(z):
    if z < 32:
        return 32
    return z


def C2F(C):
    return activate(9 / 5.0 * C + 32)
