"""The list filters of co-building, as the cockpit's links carry them (territory.filters):

- the matters list (共建事项): ?area=<subdistrict, community or grid in scope>&date_from=&date_to= (local
  days raised, `raised_at`, both included)&solved=yes|no&source=meeting|visit|liaison, solved as
  `facts.matter_solved` reads it (closed with a reason, or its case, demand or task done);
- the estates list (红色物业): ?area=&branch=yes|no (whether a 小区党支部 is recorded; a stock: no days).

A value that does not hold (a place out of scope, a malformed date, an unknown choice) is dropped with
its error shown; the other filters still apply."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.cases.models import Case
from dangjian.core.periods import days_q
from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput
from dangjian.demands.models import Demand
from dangjian.territory.filters import FILTER_LEVELS, PlaceDaysFilterForm, PlaceFilterForm

from .facts import CASE_DONE, DEMAND_DONE
from .models import Outcome, TaskStatus, UnitTask

SOLVED_CHOICES = (("", _("全部")), ("yes", _("已解决")), ("no", _("未解决")))
SOURCE_CHOICES = (("", _("全部来源")), ("meeting", _("联席会议")), ("visit", _("走访")), ("liaison", _("挂点联系")))
BRANCH_CHOICES = (("", _("全部")), ("yes", _("已建小区党支部")), ("no", _("未建小区党支部")))


class MatterFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("提出日期起"), required=False, widget=DateInput())
    solved = forms.ChoiceField(label=_("解决情况"), choices=SOLVED_CHOICES, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=SOURCE_CHOICES, required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "solved", "source")


def solved_q() -> Q:
    """Matters solved as facts.matter_solved reads them: closed with a reason, or the case, demand or
    task it became done (each a subquery on the target's public id)."""
    return (
        Q(outcome=Outcome.CLOSED)
        | Q(outcome=Outcome.CASE, target_id__in=Case.objects.filter(status__in=CASE_DONE).values("public_id"))
        | Q(outcome=Outcome.DEMAND, target_id__in=Demand.objects.filter(status__in=DEMAND_DONE).values("public_id"))
        | Q(outcome=Outcome.TASK, target_id__in=UnitTask.objects.filter(status=TaskStatus.DONE).values("public_id"))
    )


SOURCE_Q = {
    "meeting": Q(comeeting__isnull=False),
    "visit": Q(visit__isnull=False),
    "liaison": Q(comeeting__isnull=True, visit__isnull=True),
}


def matter_filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    solved: str = "",
    source: str = "",
) -> Q:
    """`area`: a node resolved in scope (a matter lies at the node it was raised for); the days on the
    stored `raised_at`, so the (area_path, raised_at) index serves them."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("raised_at", date_from, date_to)
    if solved:
        f &= solved_q() if solved == "yes" else ~solved_q()
    if source:
        f &= SOURCE_Q[source]
    return f


class EstateFilterForm(PlaceFilterForm):
    """The place filter alone (estates are a stock: no days) and whether a 小区党支部 is recorded."""

    AREA_LEVELS = FILTER_LEVELS  # a stock's list: no days
    branch = forms.ChoiceField(label=_("小区党支部"), choices=BRANCH_CHOICES, required=False)

    LIST_FILTERS = ("area", "branch")


def estate_filter_q(*, area: Any = None, branch: str = "") -> Q:
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    if branch:
        f &= Q(branch__isnull=branch != "yes")
    return f
