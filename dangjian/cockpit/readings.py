"""What the cockpit reads: each figure of a group at a node, on a date and on the date it is compared
with, its children, its monthly trend and the district's target, all from the store of facts.

The cost follows the catalogue, not the rows: a group reads each of its subjects once per date (a
stock: its snapshot marker and one sum; a flow: one sum over the year's days), the trend one grouped
sum per subject, the targets one query. Nothing here reads a source table.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DateField, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.figures import facts
from dangjian.core.figures.facts import Measures
from dangjian.core.models import DailyFact
from dangjian.core.periods import add_months
from dangjian.core.tree import STEP

from .catalogue import BY_KEY, Figure, figures_of, split_reading, subjects_of
from .models import Target


@dataclass(frozen=True)
class Span:
    """A flow's days: the first of January of the date's year to the date (both included)."""

    date_from: datetime.date
    date_to: datetime.date


def year_to_date(on: datetime.date) -> Span:
    return Span(datetime.date(on.year, 1, 1), on)


def month_back(on: datetime.date, months: int = 1) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it has no such day)."""
    return add_months(on, -months)


def year_back(on: datetime.date) -> datetime.date:
    return month_back(on, 12)


def measures(subject_names: Iterable[str], path: str, on: datetime.date) -> dict[str, Measures]:
    """Each subject's summed measures at the node `path` on `on` (a stock as of its end, a flow over
    the year to date): one sum per subject, and a stock's snapshot marker. A name may be a reading
    of one dimension value of a subject (Figure.reading, "subject#kind:value"): one sum of its own."""
    out = {}
    for key in subject_names:
        name, dim = split_reading(key)
        subject = facts.SUBJECTS[name]
        if subject.stock:
            out[key] = facts.stock_total(subject, path, on=on, dim=dim)
        else:
            out[key] = facts.total(subject, path, year_to_date(on), dim=dim)
    return out


def child_measures(subject_name: str, path: str, on: datetime.date, node_total: Measures) -> dict[str, Measures]:
    """Per child of the node (keyed by path) and, under the node's own path, what is placed on the node
    itself (its total less its children's) when there is any."""
    name, dim = split_reading(subject_name)
    subject = facts.SUBJECTS[name]
    if not subject.stock:
        return facts.children(subject, path, year_to_date(on), dim=dim, node_total=node_total)
    cells = facts.stock_cells(subject, path, on=on, children=True, dim=dim)
    out = {child: m for (child, _dim), m in cells.items()}
    rest = node_total
    for m in out.values():
        rest = rest.minus(m)
    if rest.any():
        out[path] = rest
    return out


def target_values(node: Any, on: datetime.date) -> dict[str, Decimal]:
    """The district's targets for the figures (that year's, else the standing one): one query."""
    district_path = node.path[:STEP]
    out: dict[str, Decimal] = {}
    standing: dict[str, Decimal] = {}
    rows = Target.objects.filter(Q(year__isnull=True) | Q(year=on.year), district__path=district_path)
    for key, value, year in rows.values_list("figure", "value", "year"):
        (out if year is not None else standing)[key] = value
    return {**standing, **out}


def targets_set_for(district: Any, year: int | None) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The district's standing targets and those set for `year` (none when None): one query."""
    rows = Target.objects.filter(district=district).filter(Q(year__isnull=True) | Q(year=year))
    standing: dict[str, Decimal] = {}
    yearly: dict[str, Decimal] = {}
    for key, value, of_year in rows.values_list("figure", "value", "year"):
        (standing if of_year is None else yearly)[key] = value
    return standing, yearly


def fmt(value: float | int | Decimal | None) -> str:
    """A figure as text: thousands separated, at most two decimals, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{float(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Tile:
    figure: Figure
    value: float | int | None
    compared: float | int | None
    num: int = 0
    den: int = 0
    target: Decimal | None = None

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.compared is None:
            return None
        change = self.value - self.compared
        return round(change, 2) if isinstance(change, float) else change

    @property
    def display(self) -> str:
        return fmt(self.value)

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return "—"
        if not change:
            return _("持平")
        sign = "+" if change > 0 else "−"
        return f"{sign}{fmt(abs(change))}" + (_(" 个百分点") if self.figure.rate else "")

    @property
    def change_sign(self) -> str:
        change = self.change
        return "" if not change else ("up" if change > 0 else "down")

    @property
    def target_display(self) -> str:
        return fmt(self.target)

    @property
    def target_met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        if self.figure.lower_better:
            return Decimal(str(self.value)) <= self.target
        return Decimal(str(self.value)) >= self.target

    @property
    def target_share(self) -> float | None:
        """How far the value has come towards the target, in per cent (for the tile's bar)."""
        if self.target is None or self.value is None or not self.target or self.figure.lower_better:
            return None
        return min(100.0, round(100 * float(self.value) / float(self.target), 1))


@dataclass
class GroupReading:
    key: str
    tiles: list[Tile]
    trend: dict[str, Any] | None = None
    subjects: list[str] = field(default_factory=list)


def read_group(group: str, node: Any, on: datetime.date, compare_on: datetime.date, targets: dict) -> GroupReading:
    figures = figures_of(group)
    names = subjects_of(figures)
    now_m = measures(names, node.path, on)
    then_m = measures(names, node.path, compare_on)
    tiles = []
    for f in figures:
        num, den = f.parts(now_m[f.reading])
        tiles.append(
            Tile(f, f.value(now_m[f.reading]), f.value(then_m[f.reading]), num=num, den=den, target=targets.get(f.key))
        )
    return GroupReading(group, tiles, trend=trend(figures, node.path, on), subjects=names)


def trend_months(on: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months to `on` (its own month last)."""
    first = month_back(on, 11).replace(day=1)
    months = []
    day = first
    while day <= on:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def stock_month_ends(subject: facts.Subject, path: str, months: list[datetime.date], on: datetime.date,
                     dim: str = "") -> list[Measures]:  # fmt: skip
    """A stock at the node at the end of each of `months` (the last one: as of `on`), in one query: the
    latest monthly snapshot at or before the first month (`@m`) and the node's deltas from its day to
    `on`, summed per calendar month, then added up month by month."""
    snap = subject.name + facts.SNAPSHOT
    since = (
        DailyFact.objects.filter(subject=snap, area_path="", dim="", day__lte=months[0])
        .order_by("-day")
        .values("day")[:1]
    )
    start = Coalesce(Subquery(since), Value(datetime.date.min), output_field=DateField())
    qs = DailyFact.objects.filter(dim=dim).filter(
        Q(subject=snap, day=Subquery(since)) | Q(subject=subject.name, day__gte=start, day__lte=on)
    )
    qs = qs.filter(area_path=path) if path else qs.filter(depth=1)
    slots = subject.used_slots()
    rows = (
        qs.order_by().annotate(month=TruncMonth("day")).values("month").annotate(**{slot: Sum(slot) for slot in slots})
    )
    by_month: list[tuple[datetime.date, dict[str, Any]]] = sorted(
        ((row["month"], dict(row)) for row in rows), key=lambda item: item[0]
    )
    out = []
    running = dict.fromkeys(slots, 0)
    i = 0
    for month in months:
        while i < len(by_month) and by_month[i][0] <= month:
            for slot in slots:
                running[slot] += by_month[i][1][slot] or 0
            i += 1
        out.append(Measures(subject, dict(running)))
    return out


def trend(figures: list[Figure], path: str, on: datetime.date) -> dict[str, Any] | None:
    """The group's trend figures month by month over the twelve months to `on`: a flow's count in each
    month (one grouped sum per subject), a stock's value at each month's end (one query per subject,
    from its monthly snapshots), as {"labels": [...], "series": [(label, [values...]), ...] (counts),
    "rates": [(label, [per cent or None...]), ...] (a stock rate's own axis)}; None when none."""
    flows = [f for f in figures if f.trend and not f.stock and f.num != "amount" and not f.den]
    stocks = [f for f in figures if f.trend and f.stock and f.num != "amount"]
    if not flows and not stocks:
        return None
    months = trend_months(on)
    first = months[0]
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    by_flow: dict[str, dict] = {}
    for key in sorted({f.reading for f in flows}):
        name, dim = split_reading(key)
        counters = sorted({f.num for f in flows if f.reading == key})
        by_flow[key] = facts.per_day(facts.SUBJECTS[name], path, Span(first, on), counters, dim=dim)
    by_stock: dict[str, list[Measures]] = {}
    for key in sorted({f.reading for f in stocks}):
        name, dim = split_reading(key)
        by_stock[key] = stock_month_ends(facts.SUBJECTS[name], path, months, on, dim=dim)
    series: list[tuple[str, list[Any]]] = []
    rates: list[tuple[str, list[Any]]] = []
    for f in figures:
        if f in stocks:
            values = [f.value(m) for m in by_stock[f.reading]]
            (rates if f.rate else series).append((str(f.label), values))
        elif f in flows:
            values = [0] * len(months)
            for day, counts in by_flow[f.reading].items():
                values[index[(day.year, day.month)]] += counts[f.num]
            series.append((str(f.label), values))
    return {"labels": [m.strftime("%Y-%m") for m in months], "series": series, "rates": rates}


def trend_option(data: dict[str, Any], *, wall: bool = False) -> dict[str, Any]:
    """The ECharts option of a group's trend (lines, one per figure; rates on a per-cent axis of their
    own, on the right when there are counts too); labels stay data."""
    text = "#e8eef7" if wall else "#333"
    counts, rates = data["series"], data.get("rates") or []
    axes: list[dict[str, Any]] = []
    if counts:
        axes.append({"type": "value", "minInterval": 1, "axisLabel": {"color": text}})
    if rates:
        axes.append(
            {
                "type": "value",
                "min": 0,
                "max": 100,
                "axisLabel": {"color": text, "formatter": "{value}%"},
                "splitLine": {"show": not counts},
            }
        )
    rate_axis = 1 if counts else 0
    series = [{"name": label, "type": "line", "data": values, "smooth": False} for label, values in counts]
    series += [
        {"name": label, "type": "line", "data": values, "smooth": False, "yAxisIndex": rate_axis, "connectNulls": False}
        for label, values in rates
    ]
    return {
        "animation": False,
        "color": ["#c0392b", "#2f6fb3", "#d68910", "#239b56"],
        "textStyle": {"color": text},
        "legend": {"top": 0, "itemWidth": 14, "textStyle": {"color": text, "fontSize": 16 if wall else 12}},
        "grid": {"left": 48, "right": 48 if len(axes) > 1 else 12, "top": 36, "bottom": 48},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": data["labels"],
            "axisLabel": {"rotate": 35, "fontSize": 14 if wall else 10, "color": text},
        },
        "yAxis": axes if len(axes) > 1 else axes[0],
        "series": series,
    }


def today() -> datetime.date:
    return timezone.localdate()


def figure_children(key: str, node: Any, on: datetime.date) -> tuple[Tile, dict[str, Tile]]:
    """The figure at the node and per child (keyed by path; the node's own path: placed on the node)."""
    f = BY_KEY[key]
    total = measures([f.reading], node.path, on)[f.reading]
    node_num, node_den = f.parts(total)
    out = {}
    for path, m in child_measures(f.reading, node.path, on, total).items():
        num, den = f.parts(m)
        out[path] = Tile(f, f.value(m), None, num=num, den=den)
    return Tile(f, f.value(total), None, num=node_num, den=node_den), out
