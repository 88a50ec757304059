"""The list filters of deliberation, as the cockpit's links carry them (territory.filters):

- the runs list (四议两公开): ?area=<subdistrict, community or grid in scope>&date_from=&date_to= (local
  days of the proposal, `started_at`, both included)&unwithdrawn=on, and ?view=matters to list the
  runs' matters instead of the runs (the matters figure counts matters; the amount figure sums them);
- the representatives list: ?area=&party=yes|no (the councils' sitting representatives, a stock).

A value that does not hold (a place out of scope, a malformed date, an unknown choice) is dropped with
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
from dangjian.territory.filters import FILTER_LEVELS, PlaceDaysFilterForm, PlaceFilterForm

from .models import RunStatus

PARTY_CHOICES = (("", _("全部代表")), ("yes", _("党员代表")), ("no", _("非党员代表")))
RUN_VIEWS = (("runs", _("按流程")), ("matters", _("按事项")))


class RunFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("提议日期起"), required=False, widget=DateInput())
    unwithdrawn = forms.BooleanField(label=_("不含撤回"), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "unwithdrawn")


def run_filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    unwithdrawn: bool = False,
) -> Q:
    """`area`: a node resolved in scope (a run lies at its community: a grid holds none); the days on
    the stored `started_at`, so the (area_path, started_at) index serves them."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("started_at", date_from, date_to)
    if unwithdrawn:
        f &= ~Q(status=RunStatus.WITHDRAWN)
    return f


class RepresentativeFilterForm(PlaceFilterForm):
    """The place filter alone (the sitting representatives are a stock: no days) and the Party filter."""

    AREA_LEVELS = FILTER_LEVELS  # a stock's list: no days
    party = forms.ChoiceField(label=_("党员"), choices=PARTY_CHOICES, required=False)

    LIST_FILTERS = ("area", "party")


def representative_filter_q(*, area: Any = None, party: str = "") -> Q:
    f = Q()
    if area is not None:
        f &= prefix_q("council__area_path", area.path)
    if party:
        f &= Q(is_party_member=party == "yes")
    return f
