# expect-hint: c2f_no_clamp
# mistake: called activate(F) but returned F itself, as if activate changed F in place
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        z = 32
    return z


def C2F(C):
    F = 9 / 5.0 * C + 32
    activate(F)
    return F
