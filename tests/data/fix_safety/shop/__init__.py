"""A small shop package, shaped like real application code, on which every safe fix must keep behaviour."""

from shop.orders import Order, OrderLine  # re-exported: `from shop import Order`
from shop.report import summary

__all__ = ["Order", "summary"]
