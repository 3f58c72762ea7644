"""Prints what the fixture computes, so a run before and after the fixes can be compared."""

import unittest

import shop
from shop.orders import Order, probe
from shop.report import customers

orders = [Order(1, "Ana", code="WELCOME", notes="gift"), Order(2, "Bo"), Order(3, "")]
orders[0].add("book", 2, 12.5)
orders[1].add("mug", 1, 8.0)
print(shop.summary(orders))
print(customers(orders), [order.has_notes() for order in orders], probe(shop))
suite = unittest.defaultTestLoader.loadTestsFromName("shop.order_checks")
result = unittest.TextTestRunner(verbosity=0).run(suite)
print("tests ok" if result.wasSuccessful() else "tests failed")
