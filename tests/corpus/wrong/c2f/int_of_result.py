# expect-hint: int_truncation
# mistake: converted the temperature with int(...), which cuts off the decimals (97.7 becomes 97)
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        return 32
    return z


def C2F(C):
    """converts Celsius to Fahrenheit"""
    return int(activate(9 / 5 * C + 32))
