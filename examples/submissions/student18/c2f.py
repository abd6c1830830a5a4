def activate(z):
    if z < 32:
        return 32
    return z


def C2F(C):
    return activate(9/5.0*C + 32)


print([C2F(c) for c in [-20, -10, 0, 36.5, 40, 50, 100]])
