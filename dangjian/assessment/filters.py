"""The score-sheet list's filters, as the cockpit's links carry them: ?area=<public id of a subdistrict,
community or grid in scope>&date_from=&date_to= (local days of the sheet's day in the store of facts:
the first day of its scheme's year, so 1 January to a day of the year takes that year's sheets)
&status=published&grade=good. A value that does not hold is dropped with its error shown; the other
filters still apply."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.periods import days_q
from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput
from dangjian.territory.filters import PlaceDaysFilterForm

from .models import Grade, SheetStatus


class SheetFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("考核年度（1月1日）起"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *SheetStatus.choices])
    grade = forms.ChoiceField(label=_("等次"), required=False, choices=[("", _("全部")), *Grade.choices])

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "status", "grade")


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "",
    grade: str = "",
) -> Q:
    """`area`: a node resolved in scope (a sheet lies at its subject's node: an organization's, or the
    district for a department); the days on `cohort_at` (indexed), as assessment/facts.py counts."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("cohort_at", date_from, date_to)
    if status:
        f &= Q(status=status)
    if grade:
        f &= Q(grade=grade)
    return f
