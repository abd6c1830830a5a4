def activate(z):
    """Clamp the net input at 32 (the lecture's activation)."""
    if z < 32:
        return 32
    return z


def C2F(C):
    """Celsius to Fahrenheit through one neuron: z = 9/5*C + 32, y = activate(z)."""
    return activate(9 / 5.0 * C + 32)
