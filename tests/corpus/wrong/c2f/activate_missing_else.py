# expect-hint: returned_none
# mistake: activate returns 32 in the if-branch but has no return for z >= 32
def activate(z):
    if z < 32:
        return 32


def C2F(C):
    return activate(9 / 5 * C + 32)
