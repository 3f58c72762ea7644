def helper(x):
    return x == None
