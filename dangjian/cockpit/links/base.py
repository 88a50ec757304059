"""What the link modules share: the link itself and the area and day filters of the lists."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

NUM = "num"  # the figure's counter (a count, a rate's numerator, an amount's rows)
DEN = "den"  # a rate's denominator

UrlFor = Callable[[Any, datetime.date, datetime.date], str | None]

# The place levels the lists' area filter (territory.filters) takes; the district is a list's own scope.
LIST_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)


@dataclass(frozen=True)
class ListLink:
    url: UrlFor  # (node, date_from, date_to) → the filtered list, or None where it cannot filter there
    counts: str = NUM  # NUM or DEN: which part of the figure the list's rows are
    label: Any = _("查看明细")


def area_param(node: Any, levels: tuple[str, ...] = LIST_LEVELS) -> dict[str, str]:
    """The list's own area filter for a node below the district (the district is the list's scope)."""
    return {"area": str(node.public_id)} if node.level in levels else {}


def list_url(name: str, params: dict[str, str]) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def flow_list(name: str, node: Any, date_from: datetime.date, date_to: datetime.date, **extra: str) -> str | None:
    """A flow's list (cases, demands, projects…) filtered by its place-and-days form
    (territory.filters.PlaceDaysFilterForm): the node (not a zone: the lists filter by subdistrict,
    community or grid), the days of its cohort, and what the figure leaves out or keeps."""
    if node.level == Level.ZONE:
        return None
    params = area_param(node)
    params.update(date_from=date_from.isoformat(), date_to=date_to.isoformat(), **extra)
    return list_url(name, params)


def stock_list(name: str, node: Any, **extra: str) -> str | None:
    """A stock's list at the node (its rows as they are now: no days), by the list's place filter
    below the district; None at a zone, which the place filter does not take."""
    if node.level == Level.ZONE:
        return None
    return list_url(name, {**area_param(node), **extra})


def stock(name: str, **extra: str) -> UrlFor:
    """The link of a stock's list with the figure's filters (`stock_list` at the node)."""
    return lambda node, date_from, date_to: stock_list(name, node, **extra)


def flow(name: str, **extra: str) -> UrlFor:
    """The link of a flow's list with the figure's filters (`flow_list` at the node and days)."""
    return lambda node, date_from, date_to: flow_list(name, node, date_from, date_to, **extra)
