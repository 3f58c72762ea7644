def vendored(x):
    return x == None
