def activate(z):
    return max(32, z)


def C2F(C):
    w0, w1 = 32, 9 / 5
    return activate(w0 * 1 + w1 * C)
