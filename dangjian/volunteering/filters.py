"""The team and membership lists' place filter, as the cockpit's links carry it: ?area=<public id of a
subdistrict, community or grid in the viewer's scope>. The teams figures (volunteering.facts) count
the active teams placed at a node or below, and the live memberships of those teams (a person on two
teams counts twice): the two lists hold the same rows. A place that does not hold (out of scope,
malformed) is dropped with its error shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.territory.filters import FILTER_LEVELS, PlaceFilterForm


class TeamFilterForm(PlaceFilterForm):
    """A stock's list: the place (no days) and the kind of team."""

    AREA_LEVELS = FILTER_LEVELS  # a stock's list: no days
    fixed = forms.ChoiceField(
        label=_("服务队类型"),
        choices=(("", _("全部服务队")), ("fixed", _("固定服务队")), ("own", _("自建服务队"))),
        required=False,
    )

    LIST_FILTERS = ("area", "fixed")


def team_q(*, area: Any = None, fixed: str = "", prefix: str = "") -> Q:
    """The filter on teams (`prefix` "team__" on memberships); `area` a node resolved in scope."""
    f = Q()
    if area is not None:
        f &= prefix_q(f"{prefix}area__path", area.path)
    if fixed == "fixed":
        f &= ~Q(**{f"{prefix}fixed_group": ""})
    elif fixed == "own":
        f &= Q(**{f"{prefix}fixed_group": ""})
    return f
