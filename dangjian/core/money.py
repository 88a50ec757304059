"""Money, the one way: amounts are `Decimal` yuan in models and forms, integer fen in the store of facts.

`fen(amount)` turns yuan into fen (half up), `yuan(fen)` back into yuan with two decimals, and
`yuan_text(amount)` writes an amount the way finance papers do ("38,000.00": two decimals, thousands
grouped by commas whatever the locale; zh-hans has no grouping separator, so `floatformat:"2g"`
printed "38000.00"). Templates use the same through `{% load money %}{{ amount|yuan }}`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal(100)
CENT = Decimal("0.01")


def fen(amount: Any) -> int:
    """Yuan (a Decimal, a number or its text; None and "" are 0) in integer fen, half up."""
    return int((Decimal(str(amount or 0)) * FEN).to_integral_value(rounding=ROUND_HALF_UP))


def yuan(value: int) -> Decimal:
    """Integer fen in yuan with two decimals."""
    return (Decimal(value) / FEN).quantize(CENT)


def yuan_text(value: Any) -> str:
    """An amount in yuan as finance papers write it ("38,000.00"); "" for nothing or not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return f"{amount:,.2f}"
