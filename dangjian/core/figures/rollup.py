"""The shapes a figures report comes in, and the trend buckets of a period.

Figures are read from the store of facts (`facts.py`): totals, a row per child of a node (zeros
included, and one for what is placed on the node itself), and counts per day turned here into the
trend's day, week or month buckets. Nothing here reads the rows of a big table.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dangjian.core.periods import Period
from dangjian.core.scoping import scope_for


def share(part: int, whole: int) -> float | None:
    """part of whole in per cent, one decimal (None when there is no whole)."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    """A row of a drill-down table: a child node (`area` set: its link goes down a level), the rows
    placed on the node itself (no area), or another group an app adds (e.g. departments)."""

    key: str
    label: str
    figures: Any
    area: Any = None
    url: str = ""


@dataclass(kw_only=True)
class Report:
    """The figures of a node for a period: the total, a row per child, and the trend."""

    node: Any
    period: Period
    total: Any
    children: list[Row] = field(default_factory=list)
    trend: dict[str, Any] = field(default_factory=dict)


def home_node(user: Any, nodes: QuerySet) -> Any:
    """Where a user's figures start: the node of their scope, or the first district (the first root
    of the tree) for a user who sees everything; None for a user without a territorial scope."""
    scope = scope_for(user)
    if scope.everything:
        return nodes.filter(depth=1).order_by("path").first()
    if scope.area_path:
        return nodes.filter(path=scope.area_path).first()
    return None


def child_rows(node: Any, by_child: Mapping[str, Any], empty: Callable[[], Any], row: type[Row] = Row) -> list[Row]:
    """One row per child of `node` (all of them, zeros included, in path order), and one more for the
    rows placed on the node itself when there are any."""
    children = type(node)._default_manager.filter(parent=node).order_by("path")
    rows = [row(c.path, c.name, by_child[c.path] if c.path in by_child else empty(), area=c) for c in children]
    if node.path in by_child:
        rows.append(row(node.path, str(_("未定位到下级")), by_child[node.path]))
    return rows


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def trend_buckets(period: Period, *, weeks: bool = False) -> tuple[str, list[datetime.date]]:
    """The trend's unit ("day" for periods up to 62 days, "week" up to two years when `weeks`, else
    "month") and the first day of each of its buckets, every bucket of the period listed."""
    if period.days <= 62:
        unit, first = "day", period.date_from
    elif weeks and period.days <= 366 * 2:
        unit, first = "week", period.date_from - datetime.timedelta(days=period.date_from.weekday())
    else:
        unit, first = "month", period.date_from.replace(day=1)
    days = []
    day = first
    while day <= period.date_to:
        days.append(day)
        day = _next_month(day) if unit == "month" else day + datetime.timedelta(days=7 if unit == "week" else 1)
    return unit, days


def bucket_start(day: datetime.date, unit: str) -> datetime.date:
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def trend_from_days(
    per_day: Mapping[datetime.date, Mapping[str, int]], period: Period, names: list[str], *, weeks: bool = False
) -> dict[str, Any]:
    """Counts per day (periods up to 62 days), per week (up to two years, when `weeks`) or per month,
    every bucket of the period listed, zeros included: {"unit", "labels", <name>: [...]}."""
    unit, days = trend_buckets(period, weeks=weeks)
    found: dict[datetime.date, dict[str, int]] = {}
    for day, counts in per_day.items():
        into = found.setdefault(bucket_start(day, unit), dict.fromkeys(names, 0))
        for name in names:
            into[name] += counts.get(name, 0)
    out: dict[str, Any] = {
        "unit": unit,
        "labels": [f"{d:%Y-%m}" if unit == "month" else d.isoformat() for d in days],
    }
    for name in names:
        out[name] = [found.get(d, {}).get(name, 0) for d in days]
    return out
