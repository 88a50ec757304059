"""The obligation periods list's place, day and state filters, as the cockpit's links carry them:
?area=<public id of a subdistrict, community or grid in scope>&date_from=&date_to= (the days a period
begins, both included)&met=met|unmet&kind=. The orglife_compliance figure (orglife.facts) counts the
obligations whose period begins in the days, at the branch's area or below (periods), and those held
as often as due (met): the same rows. A value that does not hold is dropped with its error shown; the
other filters still apply."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput
from dangjian.territory.filters import PlaceDaysFilterForm

from .models import Kind


class ObligationFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("期间开始日起"), required=False, widget=DateInput())
    met = forms.ChoiceField(
        label=_("是否开够"),
        choices=(("", _("全部")), ("met", _("已按要求开够")), ("unmet", _("未开够"))),
        required=False,
    )
    kind = forms.ChoiceField(label=_("会议类型"), choices=(("", _("全部类型")), *Kind.choices), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "met", "kind")


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    met: str = "",
    kind: str = "",
) -> Q:
    """`area`: a node resolved in scope (an obligation lies at its branch's area); the days on the
    period's first day (a date), as the figure places it."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    if date_from is not None:
        f &= Q(period_start__gte=date_from)
    if date_to is not None:
        f &= Q(period_start__lte=date_to)
    if met == "met":
        f &= Q(held__gte=F("due"))
    elif met == "unmet":
        f &= Q(held__lt=F("due"))
    if kind:
        f &= Q(kind=kind)
    return f
