local f = loadstring("return 1")
print(f())
