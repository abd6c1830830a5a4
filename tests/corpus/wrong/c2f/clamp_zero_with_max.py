# expect-hint: c2f_clamp_zero
# mistake: wrote the activation like a ReLU, max(0, z), instead of clamping at 32
def activate(z):
    return max(0, z)


def C2F(C):
    return activate(1.8 * C + 32)
