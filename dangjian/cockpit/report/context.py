"""What a monthly report says, built from the cockpit's readings (the store of facts) only: for each
group the template includes, each figure at the month's last day (today for the current month), its
change against the previous month's last day, its target and definition; the month's changes
(figures that moved, biggest first); and the charts (a figure per child area, the group's trend)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dangjian.core.periods import add_months
from dangjian.territory.models import Area

from .. import readings
from ..catalogue import AS_OF, GROUP_KEYS, YEAR_TO_DATE, Figure, figures_of
from . import charts


def month_first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_last(month: datetime.date) -> datetime.date:
    return add_months(month.replace(day=1), 1) - datetime.timedelta(days=1)


def last_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before `today`'s (the report a district usually wants)."""
    return add_months((today or readings.today()).replace(day=1), -1)


def reading_day(month: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The day a month's figures are read on: its last day, or today while the month runs."""
    return min(month_last(month), today or readings.today())


@dataclass
class Row:
    key: str
    label: str
    unit: str
    value: str
    change: str
    change_sign: str
    target: str
    target_met: bool | None
    definition: str
    kind: str  # 时点数 or 本年累计


@dataclass
class GroupPart:
    key: str
    label: str
    rows: list[Row]
    bar: dict[str, Any] | None = None  # {"title", "png"}
    trend: dict[str, Any] | None = None


@dataclass
class Change:
    label: str
    unit: str
    value: str
    change: str
    change_sign: str
    weight: float


@dataclass
class ReportContext:
    district: str
    month: datetime.date
    on: datetime.date
    compare_on: datetime.date
    title: str
    opening: str
    closing: str
    groups: list[GroupPart] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return _("%(year)s 年 %(month)s 月") % {"year": self.month.year, "month": self.month.month}

    def charts(self) -> list[dict[str, Any]]:
        return [c for g in self.groups for c in (g.bar, g.trend) if c]


def _row(tile: readings.Tile) -> Row:
    f = tile.figure
    return Row(
        key=f.key,
        label=str(f.label),
        unit=str(f.unit),
        value=tile.display,
        change=tile.change_display,
        change_sign=tile.change_sign,
        target=tile.target_display if tile.target is not None else "",
        target_met=tile.target_met,
        definition=str(f.definition),
        kind=str(AS_OF if f.stock else YEAR_TO_DATE),
    )


def _weight(tile: readings.Tile) -> float:
    """How much a figure moved, comparable across units: the change over the earlier value (a rate's
    change in points over 100), an appearance from nothing counting as a full move."""
    change = tile.change
    if not change:
        return 0.0
    if tile.figure.rate:
        return abs(float(change)) / 100
    base = abs(float(tile.compared or 0))
    return abs(float(change)) / base if base else 1.0


def _bar_figure(figures: list[Figure]) -> Figure | None:
    """The group's figure drawn per child area: its first that adds up (a count or an amount)."""
    return next((f for f in figures if f.additive), None)


def _bar(figure: Figure, district: Any, on: datetime.date, children: list[Any]) -> dict[str, Any] | None:
    _total, by_child = readings.figure_children(figure.key, district, on)
    labels: list[str] = []
    values: list[float | int] = []
    for child in children:
        tile = by_child.get(child.path)
        labels.append(child.name)
        values.append(tile.value if tile is not None and tile.value is not None else 0)
    if district.path in by_child and by_child[district.path].value:
        labels.append(_("未定位到下级"))
        values.append(by_child[district.path].value or 0)
    if not any(values):  # a chart of zeros says nothing the table does not
        return None
    level = children[0].get_level_display() if children else _("下级")
    title = _("%(figure)s · 各%(level)s") % {"figure": figure.label, "level": level}
    return {"title": title, "png": charts.bar_chart(title, labels, values, str(figure.unit))}


def _moves(trend: dict[str, Any]) -> bool:
    """Whether a trend has anything to draw (a count above zero, or a rate at all)."""
    counts = any(v for _label, values in trend["series"] for v in values)
    return counts or any(v is not None for _label, values in trend.get("rates") or [] for v in values)


def build(
    district: Any, month: datetime.date, template: Any, *, progress: Any = None, draw: bool = True
) -> ReportContext:
    """The report of `district` for `month` (its first day) as `template` (a ReportTemplate) frames it.
    `progress(percent, step)` is told after each group; `draw=False` leaves the charts out."""
    today = readings.today()
    month = month_first(month)
    on = reading_day(month, today)
    compare_on = month_last(add_months(month, -1))
    targets = readings.target_values(district, on)
    children = list(Area.objects.filter(parent=district).order_by("path"))
    keys = [k for k in (template.groups or []) if k in GROUP_KEYS]
    ctx = ReportContext(
        district=district.name,
        month=month,
        on=on,
        compare_on=compare_on,
        title=template.title,
        opening=template.opening,
        closing=template.closing,
    )
    moved: list[tuple[float, Change]] = []
    for i, key in enumerate(keys):
        reading = readings.read_group(key, district, on, compare_on, targets)
        part = GroupPart(key, str(GROUP_KEYS[key].label), [_row(t) for t in reading.tiles])
        for tile in reading.tiles:
            weight = _weight(tile)
            if weight:
                f = tile.figure
                change = Change(str(f.label), str(f.unit), tile.display, tile.change_display, tile.change_sign, weight)
                moved.append((weight, change))
        if draw:
            bar_figure = _bar_figure(figures_of(key))
            if bar_figure is not None:
                part.bar = _bar(bar_figure, district, on, children)
            if reading.trend is not None and _moves(reading.trend):
                title = _("%(group)s · 近 12 个月走势") % {"group": part.label}
                part.trend = {
                    "title": title,
                    "png": charts.trend_chart(
                        title, reading.trend["labels"], reading.trend["series"], reading.trend.get("rates")
                    ),
                }
        ctx.groups.append(part)
        if progress is not None:
            progress(10 + 60 * (i + 1) // max(len(keys), 1), _("已读取 %(group)s") % {"group": part.label})
    moved.sort(key=lambda pair: -pair[0])
    ctx.changes = [c for _w, c in moved]
    return ctx
