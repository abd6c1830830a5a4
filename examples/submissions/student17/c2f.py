def activate(z):
    if z < 32:
        return 32
    return z


def C2F(C):
    return activate(9 // 5 * C + 32)
