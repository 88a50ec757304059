"""Links of the figures of resident units and home-community registration."""

from __future__ import annotations

import datetime
from typing import Any

from .base import ListLink, list_url


def units(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return list_url("units:list", {"area": str(node.public_id)})


LINKS = {
    "units": (ListLink(units),),
}
