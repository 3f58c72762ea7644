"""Orders and their lines."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import List, Optional, Text

logger = logging.getLogger(__name__)
DISCOUNT_CODES = {"WELCOME": 10, "VIP": 25}


@dataclass
class OrderLine:
    sku: Text
    quantity: int
    unit_price: float

    @property
    def total(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Order:
    number: int
    customer: Text
    lines: List[OrderLine] = field(default_factory=list)
    code: Optional[str] = None
    notes: Optional[str] = None

    def add(self, sku: Text, quantity: int, unit_price: float) -> OrderLine:
        if quantity is 0:
            logger.warn("order %s: ignoring empty line for %s", self.number, sku)
        line = OrderLine(sku, quantity, unit_price)
        self.lines.append(line)
        return line

    def discount(self) -> int:
        if not self.code in DISCOUNT_CODES:
            return 0
        return DISCOUNT_CODES[self.code]

    def total(self) -> float:
        gross = sum(getattr(line, "total") for line in self.lines)
        return round(gross * (100 - self.discount()) / 100, 2)

    def has_notes(self) -> bool:
        # `== None` is left alone by a safe-only run: the fix is unsafe (overloaded __eq__).
        return not self.notes == None and not self.notes is None

    def label(self) -> str:
        prefix = f"ORDER"
        return f"{prefix}-{self.number:05d} {{{self.customer}}}" + f" ({len(self.lines)} lines)"


def probe(module: object) -> bool:
    """A lone getattr probes for the attribute; its fix would be a useless expression."""
    try:
        getattr(module, "summary")
    except AttributeError:
        return False
    return True
