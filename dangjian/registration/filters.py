"""The home-members list's filters (registration:members), as the cockpit's links carry them:
?area=<public id of a district, subdistrict, zone or community in the viewer's scope>&registered=yes|no. A member
lives at a community, so a grid is no place here. A value that does not hold (a place out of scope, an
unknown choice) is dropped with its error shown; the other filters still apply. A stock: no days."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.territory.filters import PlaceFilterForm
from dangjian.territory.models import Level

HOME_LEVELS = (Level.DISTRICT, Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY)
REGISTERED, UNREGISTERED = "yes", "no"


class HomeMemberFilterForm(PlaceFilterForm):
    AREA_LEVELS = HOME_LEVELS  # a stock's list: no days
    registered = forms.ChoiceField(
        label=_("报到情况"),
        required=False,
        choices=[
            ("", _("全部应报到")),
            (REGISTERED, _("已报到并确认")),
            (UNREGISTERED, _("未报到或未确认")),
        ],
    )

    LIST_FILTERS = ("area", "registered")
