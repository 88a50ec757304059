"""The centre list's place and standard filters, as the cockpit's links carry them:
?area=<public id of a subdistrict, community or grid in scope>&open=on&meets=area|area_short|standard|short.
The centres figures (centers.facts) count the open centres placed at a node or below, and among them
those meeting their level's floor area and those meeting the whole standard: the same rows, through
the same test (facts.center_counts against facts.standards_now). A value that does not hold (a place out
of scope, an unknown choice) is dropped with its error shown; the other filters still apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.territory.filters import FILTER_LEVELS, PlaceFilterForm

from .facts import center_counts, standards_now

# meets=… → (the counter of centers.facts, the value it must have)
MEETS = {
    "area": ("area_met", 1),
    "area_short": ("area_met", 0),
    "standard": ("standard_met", 1),
    "short": ("standard_met", 0),
}
MEETS_CHOICES = (
    ("", _("全部")),
    ("area", _("面积达标")),
    ("area_short", _("面积未达标")),
    ("standard", _("全部达标")),
    ("short", _("未全部达标")),
)


class CenterFilterForm(PlaceFilterForm):
    """A stock's list: the place (no days), open centres only, and what of the standard they meet."""

    AREA_LEVELS = FILTER_LEVELS  # a stock's list: no days
    open = forms.BooleanField(label=_("仅开放中"), required=False)
    meets = forms.ChoiceField(label=_("对照标准"), choices=MEETS_CHOICES, required=False)

    LIST_FILTERS = ("area", "open", "meets")


def filter_centers(qs: QuerySet, *, area: Any = None, open: bool = False, meets: str = "") -> QuerySet:
    """`area`: a node resolved in scope (a centre lies at its area: a community, an estate, a grid…)."""
    f = Q()
    if area is not None:
        f &= prefix_q("area__path", area.path)
    if open:
        f &= Q(is_active=True)
    qs = qs.filter(f)
    if meets in MEETS:
        qs = qs.filter(pk__in=_meeting(qs, *MEETS[meets]))
    return qs


def _meeting(qs: QuerySet, counter: str, value: int) -> list[int]:
    """The centres of `qs` whose `counter` is `value`, tested as the figures test them (two queries:
    the standards, the centres' fields)."""
    standards = standards_now()
    rows = qs.order_by().values_list("pk", "level", "floor_area", "functions", "norms")
    return [
        pk
        for pk, level, floor_area, functions, norms in rows
        if center_counts(
            level=level, floor_area=floor_area or 0, functions=functions, norms=norms, standards=standards
        )[counter]
        == value
    ]
