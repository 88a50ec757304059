"""`{{ amount|yuan }}`: an amount of money in yuan with two decimals and thousands grouped by commas
("38,000.00"), the way finance papers write it. `floatformat:"2g"` groups with the active locale's
separator, and zh-hans has none, so it printed "38000.00"; this filter does not depend on the locale."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return f"{amount:,.2f}"
