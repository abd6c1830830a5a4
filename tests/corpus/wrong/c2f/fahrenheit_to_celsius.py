# expect-hint: c2f_inverted_ratio
# mistake: wrote the Fahrenheit-to-Celsius formula (C - 32) * 5 / 9 inside the activation
def activate(z):
    return 32 if z < 32 else z


def C2F(C):
    return activate((C - 32) * 5 / 9)
