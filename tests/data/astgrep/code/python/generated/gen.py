def generated(x):
    return x == None
