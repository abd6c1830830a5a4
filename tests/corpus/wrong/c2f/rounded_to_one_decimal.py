# expect-hint: rounded_result
# mistake: rounded the result to one decimal like the slide's printed table (97.7), so C2F(36.6) gives 97.9 instead of 97.88
def activate(z):
    """returns 32 if z < 32"""
    if z < 32:
        return 32
    return z


def C2F(C):
    """converts Celsius to Fahrenheit"""
    return round(activate(9 / 5 * C + 32), 1)
