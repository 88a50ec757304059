"""Links of the ten-minute circle's figure: the circle's estates under the node (the circle page takes
a district, subdistrict or community; estates are placed at their community, so no grid or zone)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, ListLink, list_url

CIRCLE_LEVELS = (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY)


def _estates(node: Any, **extra: str) -> str | None:
    if node.level not in CIRCLE_LEVELS:
        return None
    return list_url("centers:circle_estates", {"area": str(node.public_id), **extra})


def covered(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return _estates(node, covered="1")


def placed(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return _estates(node)


LINKS = {
    "circle_coverage": (ListLink(covered, label=_("服务圈内的小区")), ListLink(placed, DEN, _("已定位的小区"))),
}
