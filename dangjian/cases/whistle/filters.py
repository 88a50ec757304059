"""The whistle board's place, day and outcome filters, as the cockpit's links carry them (吹哨报到,
吹哨解决: cases.whistles in whistle/facts.py): ?area=<public id of a subdistrict, community or grid in
scope>&date_from=&date_to= (local days the whistle was blown, both included)&solved=on (its case is
closed: 办结, 回访, 归档). One row per whistle, placed at its case's node. A value that does not hold is
dropped with its error shown; the other filters still apply."""

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

from ..workflow import CLOSED_STATUSES


class WhistleFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("吹哨日期起"), required=False, widget=DateInput())
    solved = forms.BooleanField(label=_("已解决（事件已办结）"), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "solved")


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    solved: bool = False,
) -> Q:
    """`area`: a node resolved in scope. The figures count the whistles of placed cases only (a case
    with no place yet adds nothing to a node), so a filtered board leaves those out too."""
    f = ~Q(case__area_path="")
    if area is not None:
        f &= prefix_q("case__area_path", area.path)
    f &= days_q("blown_at", date_from, date_to)
    if solved:
        f &= Q(case__status__in=sorted(CLOSED_STATUSES))
    return f
