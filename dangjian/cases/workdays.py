"""Deadlines in hours or in working days, on the official Chinese calendar.

A working day is Monday to Friday unless CalendarDay says otherwise: public holidays on weekdays
are off, make-up workdays (调休) at weekends are on. N working days count from the day after the
start (次日起算) and end at the close of the Nth working day.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import CalendarDay, LimitUnit

# Enough room for the longest run of days off (Spring Festival plus weekends) per working day asked.
_SPAN_PER_DAY = 3
_SPAN_EXTRA = 20


def exceptions_between(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_workday")
    return dict(rows)


def is_workday(day: datetime.date, exceptions: dict[datetime.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = exceptions_between(day, day)
    return exceptions.get(day, day.weekday() < 5)


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date of the `days`-th working day after `start` (start itself does not count)."""
    if days <= 0:
        return start
    exceptions = exceptions_between(start, start + datetime.timedelta(days=days * _SPAN_PER_DAY + _SPAN_EXTRA))
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_workday(day, exceptions):
            counted += 1
    return day


def workdays_between(first: datetime.date, last: datetime.date) -> int:
    """Working days after `first` up to and including `last` (0 when last <= first)."""
    if last <= first:
        return 0
    exceptions = exceptions_between(first, last)
    days = (last - first).days
    return sum(1 for n in range(1, days + 1) if is_workday(first + datetime.timedelta(days=n), exceptions))


def deadline_after(start: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    """The deadline of a time limit given at `start` (aware): end of the Nth working day, or N hours on."""
    if unit == LimitUnit.HOURS:
        return start + datetime.timedelta(hours=amount)
    local = timezone.localtime(start)
    day = add_workdays(local.date(), amount)
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())
