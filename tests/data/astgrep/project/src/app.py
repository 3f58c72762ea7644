def main():
    print("hello 😀")
    value = compute()
    if value == None:
        print("none")


print("module level")
if __name__ == "__main__":
    def inner():
        print("guarded")
