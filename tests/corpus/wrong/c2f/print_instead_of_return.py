# expect-hint: returned_none
# mistake: printed the temperature in C2F instead of returning it (like the slide's print(test_f))
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    F = 9 / 5.0 * C + 32
    print(activate(F))
