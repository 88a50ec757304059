"""Reporting periods the figure pages share: this month, last month, this year, last year, or custom."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def local_day_start(day: datetime.date) -> datetime.datetime:
    """The aware moment the local day begins."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def days_q(field: str, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> Q:
    """Rows whose aware datetime `field` falls on the local days from `date_from` to `date_to` (both
    included, either open), compared on the stored column so an index on it serves the range."""
    f = Q()
    if date_from:
        f &= Q(**{f"{field}__gte": local_day_start(date_from)})
    if date_to:
        f &= Q(**{f"{field}__lt": local_day_start(date_to + datetime.timedelta(days=1))})
    return f


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier when negative); the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


PERIOD_CHOICES = (
    ("this_month", gettext_lazy("本月")),
    ("last_month", gettext_lazy("上月")),
    ("this_year", gettext_lazy("本年")),
    ("last_year", gettext_lazy("去年")),
    ("custom", gettext_lazy("自定义")),
)
# A custom period longer than this is refused (a rollup over ten years says nothing a year does not).
MAX_PERIOD_DAYS = 366 * 5


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    key: str
    date_from: datetime.date
    date_to: datetime.date  # included

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date_from, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the period."""
        return timezone.make_aware(
            datetime.datetime.combine(self.date_to + datetime.timedelta(days=1), datetime.time.min)
        )

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def label(self) -> str:
        return f"{self.date_from:%Y-%m-%d} — {self.date_to:%Y-%m-%d}"


def period_for(
    key: str = "this_month",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    *,
    today: datetime.date | None = None,
) -> Period:
    """A named period ending at most today, or a custom one (checked)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    if key == "last_month":
        end = first - datetime.timedelta(days=1)
        return Period(key, end.replace(day=1), end)
    if key == "this_year":
        return Period(key, today.replace(month=1, day=1), today)
    if key == "last_year":
        return Period(key, datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    if key == "custom":
        if date_from is None or date_to is None:
            raise PeriodError(_("请填写起止日期。"))
        if date_from > date_to:
            raise PeriodError(_("开始日期不能晚于结束日期。"))
        if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodError(_("统计区间最长 %(n)s 天。") % {"n": MAX_PERIOD_DAYS})
        return Period(key, date_from, date_to)
    return Period("this_month", first, today)
