"""A covenant's yearly fulfilment, computed from the records: joint meetings its unit signed in at, visits
logged each way, tasks the unit finished (projects claimed), volunteer hours its members served. A page of
covenants costs one grouped query per kind of record, whatever its length.

A year is the calendar year in local time, cut to the covenant's term; what is due is the yearly
obligation prorated to the days of the term inside the year (rounded, at least one)."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.volunteering.models import Attendance

from .models import Covenant, Direction, MeetingKind, Seat, TaskStatus, UnitTask, Visit

MEASURES = (
    ("meetings", _("参加联席会议")),
    ("unit_visits", _("单位走访")),
    ("area_visits", _("走访单位")),
    ("projects", _("认领项目")),
    ("hours", _("志愿服务时长")),
)


@dataclass
class Line:
    key: str
    label: str
    due: int
    made: int

    @property
    def behind(self) -> bool:
        return self.made < self.due

    @property
    def share(self) -> int | None:
        return None if not self.due else min(100, round(self.made * 100 / self.due))


@dataclass
class Fulfilment:
    covenant: Covenant
    year: int
    lines: list[Line] = field(default_factory=list)

    @property
    def behind(self) -> list[Line]:
        return [line for line in self.lines if line.behind]

    @property
    def kept(self) -> bool:
        return not self.behind

    @property
    def share(self) -> int | None:
        due = sum(min(line.due, 1) for line in self.lines if line.due)
        if not due:
            return None
        met = sum(min(line.made, line.due) / line.due for line in self.lines if line.due)
        return round(met * 100 / due)


def year_span(covenant: Covenant, year: int) -> tuple[datetime.date, datetime.date] | None:
    start = max(covenant.starts_on, datetime.date(year, 1, 1))
    end = min(covenant.ends_on, datetime.date(year, 12, 31))
    return (start, end) if start <= end else None


def _bounds(day_from: datetime.date, day_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def due(obligation: int, span: tuple[datetime.date, datetime.date], year: int) -> int:
    if obligation <= 0:
        return 0
    days = (span[1] - span[0]).days + 1
    in_year = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
    return max(1, math.floor(obligation * days / in_year + 0.5))


def fulfilment(covenants: Iterable[Covenant], year: int) -> list[Fulfilment]:
    """The fulfilment of each covenant in `year` (covenants with no day of their term in it are left out)."""
    spans = {c.pk: s for c in covenants if (s := year_span(c, year)) is not None}
    chosen = [c for c in covenants if c.pk in spans]
    if not chosen:
        return []
    start, end = _bounds(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    units = {c.unit_id for c in chosen}
    areas = {c.area_id for c in chosen}
    # Rows per (unit, area, day): each covenant then counts those inside its own span.
    meetings: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for unit_id, area_id, at in Seat.objects.filter(
        unit_id__in=units,
        comeeting__kind=MeetingKind.JOINT,
        comeeting__area_id__in=areas,
        comeeting__starts_at__gte=start,
        comeeting__starts_at__lt=end,
        attendee__signed_in_at__isnull=False,
    ).values_list("unit_id", "comeeting__area_id", "comeeting__starts_at"):
        meetings[(unit_id, area_id)].append(timezone.localdate(at))
    visits: dict[tuple[int, int, str], list[datetime.date]] = defaultdict(list)
    for unit_id, area_id, direction, day in Visit.objects.filter(
        unit_id__in=units, area_id__in=areas, visited_on__year=year
    ).values_list("unit_id", "area_id", "direction", "visited_on"):
        visits[(unit_id, area_id, direction)].append(day)
    tasks: dict[int, list[datetime.date]] = defaultdict(list)
    for unit_id, finished in UnitTask.objects.filter(
        unit_id__in=units, status=TaskStatus.DONE, finished_at__gte=start, finished_at__lt=end
    ).values_list("unit_id", "finished_at"):
        tasks[unit_id].append(timezone.localdate(finished))
    hours = _hours(units, start, end)
    out = []
    for c in chosen:
        span = spans[c.pk]

        def within(days: list[datetime.date], _span: tuple[datetime.date, datetime.date] = span) -> int:
            return sum(1 for d in days if _span[0] <= d <= _span[1])

        served = sum((h for d, h in hours.get(c.unit_id, []) if span[0] <= d <= span[1]), Decimal(0))
        made = {
            "meetings": within(meetings[(c.unit_id, c.area_id)]),
            "unit_visits": within(visits[(c.unit_id, c.area_id, Direction.UNIT_TO_AREA)]),
            "area_visits": within(visits[(c.unit_id, c.area_id, Direction.AREA_TO_UNIT)]),
            "projects": within(tasks[c.unit_id]),
            "hours": int(served),
        }
        lines = [Line(key, str(label), due(getattr(c, key), span, year), made[key]) for key, label in MEASURES]
        out.append(Fulfilment(covenant=c, year=year, lines=lines))
    return out


def _hours(units: set[int], start: datetime.datetime, end: datetime.datetime) -> dict[int, list[tuple[Any, Decimal]]]:
    """Verified volunteer hours served by the units' Party members (their workplace), per unit and day."""
    out: dict[int, list[tuple[Any, Decimal]]] = defaultdict(list)
    rows = (
        Attendance.objects.filter(
            verified=True,
            checked_in_at__gte=start,
            checked_in_at__lt=end,
            user__member__workplace_id__in=units,
        )
        .values_list("user__member__workplace_id", "checked_in_at", "hours")
        .order_by()
    )
    for unit_id, at, hours in rows:
        out[unit_id].append((timezone.localdate(at), hours or Decimal(0)))
    return out
