"""The floors list's filters (FloorFilterForm, below) and the journal list's filters, as the cockpit's
links carry them: ?area=<public id of a subdistrict, community or grid in scope>&date_from=&date_to=
(local days the journal was written: the day the store of facts puts it on,
funds/facts.py)&kind=allocation|payment|…. A value that does not hold is dropped with its error shown;
the other filters still apply. Journals are append-only: a read list."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from dangjian.core.money import fen
from dangjian.core.periods import days_q
from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput
from dangjian.territory.filters import PlaceDaysFilterForm, PlaceFilterForm
from dangjian.territory.models import Level

from .models import JournalKind

MET_CHOICES = [("", _("全部")), ("yes", _("已达到保底")), ("no", _("未达到保底"))]


class FloorFilterForm(PlaceFilterForm):
    """?area=<subdistrict or community in scope>&year=&kind=<fund kind code>&met=yes|no. The kinds are
    the district's kinds with a floor rule (given by the view)."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("经费类别"), required=False, choices=[("", _("全部"))])
    met = forms.ChoiceField(label=_("保底"), required=False, choices=MET_CHOICES)

    LIST_FILTERS = ("area", "year", "kind", "met")
    AREA_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY)

    def __init__(self, *args: Any, kinds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *((k.code, k.name) for k in kinds)]


class JournalFilterForm(PlaceDaysFilterForm):
    date_from = forms.DateField(label=_("记账日期起"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("记账类型"), required=False, choices=[("", _("全部")), *JournalKind.choices])

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "kind")


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    kind: str = "",
) -> Q:
    """`area`: a node resolved in scope, on the path the journal was written with (as the facts place
    it: a community or a subdistrict); the days on the journal's written time."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("created_at", date_from, date_to)
    if kind:
        f &= Q(kind=kind)
    return f


def total_fen(qs: QuerySet) -> int:
    """The rows' amounts added up, in fen (the facts' amount of one journal kind)."""
    total = qs.aggregate(s=Sum("amount"))["s"]
    return fen(Decimal(total or 0).quantize(Decimal("0.01")))
