# expect-hint: c2f_clamp_before_linear
# mistake: applied activate to 9/5*C and added the bias 32 afterwards, so C2F(-20) = 64
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        return 32
    return z


def C2F(C):
    """converts Celsius to Fahrenheit"""
    return activate(9 / 5 * C) + 32
