def activate(z):
    if z < 32:
        return 32
    return z


def C2F(C):
    return activate(5 / 9 * C + 32)
