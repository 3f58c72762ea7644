def run(x):
    print(x == None)
