# approach: the lecture's own code, copied from the slides
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    """ converts Celcius to Fahrenheit"""
    F = 9 / 5.0 * C + 32
    return activate(F)
