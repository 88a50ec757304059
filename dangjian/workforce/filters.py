"""The roster's place and profile filters, as the cockpit's links carry them (workers, 80后, 本科及以上,
书记主任一肩挑 are stocks: the roster as it is now, no days): ?area=<public id of a subdistrict, community
or grid in the viewer's scope>&born_1980=on&bachelor=on&dual_role=on (with the roster's own ?kind=).
A value that does not hold (a place out of scope) is dropped with its error shown; the others apply."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.territory.filters import FILTER_LEVELS, PlaceFilterForm

from .models import EDUCATION_ORDER, Education

BORN_1980 = datetime.date(1980, 1, 1)


class WorkerFilterForm(PlaceFilterForm):
    AREA_LEVELS = FILTER_LEVELS  # a stock's list: no days
    born_1980 = forms.BooleanField(label=_("80后（1980 年及以后出生）"), required=False)
    bachelor = forms.BooleanField(label=_("本科及以上"), required=False)
    dual_role = forms.BooleanField(label=_("书记、主任一肩挑"), required=False)

    LIST_FILTERS = ("area", "born_1980", "bachelor", "dual_role")


def filter_q(*, area: Any = None, born_1980: bool = False, bachelor: bool = False, dual_role: bool = False) -> Q:
    """What workforce/facts.py counts of a worker in post: placed at the node or below (a worker lies at
    a community or a subdistrict), born in 1980 or later, 本科 or above, 一肩挑."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    if born_1980:
        f &= Q(birth_date__gte=BORN_1980)
    if bachelor:
        f &= Q(education__in=EDUCATION_ORDER[EDUCATION_ORDER.index(Education.BACHELOR) :])
    if dual_role:
        f &= Q(dual_role=True)
    return f
