# approach: activate as the built-in max(z, 32) (fine here: C2F takes scalars only)
def activate(z):
    return max(z, 32)


def C2F(C):
    return activate(1.8 * C + 32)
