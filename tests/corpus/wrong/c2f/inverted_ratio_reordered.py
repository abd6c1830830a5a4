# expect-hint: c2f_inverted_ratio
# mistake: remembered the textbook F->C formula and wrote C * 5 / 9 + 32
def activate(z):
    return 32 if z < 32 else z


def C2F(C):
    z = C * 5 / 9 + 32  # 순입력
    return activate(z)
