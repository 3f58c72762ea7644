"""Plain-text reports over orders."""

from __future__ import annotations

import json
import typing

from shop.orders import Order


def summary(orders: typing.List[Order]) -> typing.Text:
    rows = []
    for order in orders:
        status = "discounted" if not order.discount() is 0 else "full price"
        rows.append(f"{order.label()}: {order.total():.2f} ({status})")
    header = f"Orders\n======"
    return "\n".join([header, *rows])


def customers(orders: typing.List[Order]) -> typing.List[typing.Text]:
    seen = [getattr(order, "customer") for order in orders]
    return sorted({name for name in seen if not name in ("", None)})
