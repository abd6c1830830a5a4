# expect-hint: missing_function
# mistake: named the converter c2f (PEP 8 style) instead of C2F as the exercise asks
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def c2f(C):
    return activate(9 / 5 * C + 32)
