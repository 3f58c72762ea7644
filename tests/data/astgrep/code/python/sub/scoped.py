def scoped(x):
    assert x == None
    return x == None
