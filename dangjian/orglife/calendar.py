"""The compliance calendar: the periods a rule makes and what a branch owes in each. Pure functions.

Periods are calendar-aligned (months, quarters, halves, years in local time). A branch owes a period
from its founding: a period it was founded in is owed when the founding day is on or before the
period's middle day, else its first owed period is the next one. A meeting counts in the period its
local date falls in (a 支部党员大会 on 31 March 23:30 counts for Q1, one on 1 April for Q2).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dangjian.core.periods import add_months

from .models import MONTHS_OF, Frequency


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date  # included

    @property
    def middle(self) -> datetime.date:
        return self.start + datetime.timedelta(days=(self.end - self.start).days // 2)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end


def period_of(frequency: str, day: datetime.date) -> Span:
    """The period of `frequency` that holds `day`."""
    months = MONTHS_OF[Frequency(frequency)]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    return Span(start, add_months(start, months) - datetime.timedelta(days=1))


def periods_between(frequency: str, start: datetime.date, end: datetime.date) -> list[Span]:
    """Every period of `frequency` overlapping [start, end]."""
    out, span = [], period_of(frequency, start)
    while span.start <= end:
        out.append(span)
        span = period_of(frequency, span.end + datetime.timedelta(days=1))
    return out


def owes(span: Span, founded_on: datetime.date | None) -> bool:
    """Whether a branch founded on `founded_on` owes the period `span`."""
    return founded_on is None or founded_on <= span.middle


def due_on(span: Span, fixed_day: int | None) -> datetime.date | None:
    """The fixed day in the period's first month (主题党日 on a fixed day), else None."""
    if not fixed_day:
        return None
    return span.start.replace(day=min(fixed_day, 28))


def quarter_of(day: datetime.date) -> Span:
    return period_of(Frequency.QUARTERLY, day)
