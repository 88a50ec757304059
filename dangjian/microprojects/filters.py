"""The project list's place, date and state filters, as the case list has them and the cockpit's
links carry them: ?area=<public id of a subdistrict, community or grid in scope>&date_from=&date_to=
(local days of proposal, both included)&unwithdrawn=on. A value that does not hold is dropped with
its error shown; the other filters still apply."""

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

from .models import Status


class ProjectFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("提议日期起"), required=False, widget=DateInput())
    unwithdrawn = forms.BooleanField(label=_("不含撤回"), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "unwithdrawn")


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    unwithdrawn: bool = False,
) -> Q:
    """`area`: a node resolved in scope (a project lies at its community: a grid holds none); the dates
    on the stored aware datetime, so the (area_path, proposed_at) index serves them."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("proposed_at", date_from, date_to)
    if unwithdrawn:
        f &= ~Q(status=Status.WITHDRAWN)
    return f
