"""Fixture for patchgate's ast-grep agreement tests: emoji 😀 and accents (é) sit before matches."""
import os
import collections

label = "😀 café 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"; value = compute(label) == None
if value != None:
    print("ünïcödé", value)

name = "𝒳"; other = lookup(name, "😀😀") == None


def test_addition():
    assert add(1, 2) == 3


def helper(items=[], mapping={}):
    return len(items) == 0


class Service:
    def __init__(self, client):
        self.client = client
        return None

    def fetch(self, key):
        result = self.client.get(key, timeout=None)
        if result == None:
            return None
        return result


def risky():
    try:
        run_job()
    except Exception:
        pass
    try:
        run_job()
    except ValueError as error:
        log(error)
