"""The package's own unittest suite (run by main.py, not by pytest): old assertion aliases, which the fix renames."""

import unittest

from shop import Order, summary


class OrderTests(unittest.TestCase):
    def setUp(self):
        self.order = Order(7, "Dana", code="VIP")
        self.order.add("pen", 4, 2.5)
        self.order.add("ink", 0, 9.0)

    def test_total(self):
        self.assertEquals(self.order.total(), 7.5)
        self.assertNotEquals(self.order.total(), 10)

    def test_summary(self):
        self.assert_(summary([self.order]).startswith("Orders"))
        self.assertRegexpMatches(self.order.label(), r"ORDER-\d{5}")
