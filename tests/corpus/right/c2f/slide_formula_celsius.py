# approach: the slide's first formula, F = 9/5 C + 32 if C >= 0 else 32 (the same clamp, written on C)
def activate(z):
    return 32 if z < 32 else z


def C2F(C):
    if C >= 0:
        return 9 / 5 * C + 32
    return activate(32)
