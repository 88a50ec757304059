"""The member-month dues list's filters, as the cockpit's links carry them: ?area=<public id of a
subdistrict, community or grid in scope>&date_from=&date_to= (local days of the month's first day, the
facts' cohort: 1 January to a day in December takes the year's months so far)&settled=yes|no&paid=on.
A value that does not hold is dropped with its error shown; the other filters still apply."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _

from dangjian.core.money import fen
from dangjian.core.periods import days_q
from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput
from dangjian.territory.filters import PlaceDaysFilterForm

SETTLED = "yes"
UNSETTLED = "no"
# Amounts are in whole fen: half a fen under the line keeps SQLite's float arithmetic exact.
HALF_FEN = Decimal("0.005")
MONEY = DecimalField(max_digits=14, decimal_places=2)


class DuesMonthFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("月份（1日）起"), required=False, widget=DateInput())
    settled = forms.ChoiceField(
        label=_("交纳情况"),
        required=False,
        choices=[("", _("全部")), (SETTLED, _("已足额交纳")), (UNSETTLED, _("未足额交纳"))],
    )
    paid = forms.BooleanField(label=_("有交纳"), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "settled", "paid")


def settled_q() -> Q:
    """dues/facts.py: paid at least what is owed (the month's dues plus adjustments, never below 0)."""
    return Q(paid__gt=F("amount_due") + F("adjustment") - Value(HALF_FEN, output_field=MONEY))


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    settled: str = "",
    paid: bool = False,
) -> Q:
    """`area`: a node resolved in scope (a month lies at its branch's node); the days on the month's
    first local midnight (`month_start`, indexed), as the facts' cohort."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("month_start", date_from, date_to)
    if settled == SETTLED:
        f &= settled_q()
    elif settled == UNSETTLED:
        f &= ~settled_q()
    if paid:
        f &= Q(paid__gt=0) | Q(extra__gt=0)
    return f


def paid_total_fen(qs: QuerySet) -> int:
    """What the rows paid toward their dues (never above what is owed, without the voluntary extra), in
    fen: dues.paid's amount."""
    owed = Greatest(F("amount_due") + F("adjustment"), Value(Decimal(0), output_field=MONEY), output_field=MONEY)
    total = qs.aggregate(s=Sum(Least(F("paid"), owed, output_field=MONEY), output_field=MONEY))["s"]
    return fen(Decimal(total or 0).quantize(Decimal("0.01")))
