"""The place and day filters a list shares with the case list, as the cockpit's links carry them:
?area=<public id of a subdistrict, community or grid in the viewer's scope>&date_from=&date_to= (local
days, both included). A value that does not hold (a place out of scope, a malformed date) is dropped
with its error shown; the other filters still apply. The template part is
territory/_place_days_filters.html (with `area_options` from selectors.filter_area_options).

A stock's list (rows as they are now: areas, organizations, weak-organization cases) takes the place
only, `PlaceFilterForm`, any node below the district in scope, a zone too (template part
territory/_place_filter.html)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, public_choice

from .models import Area, Level

FILTER_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)
PLACE_LEVELS = (Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY, Level.GRID)


class PlaceFilterForm(forms.Form):
    """The place filter alone: ?area=<public id of a node below the district in the viewer's scope>."""

    area = public_choice(_("属地"), Area, empty_label=_("全部属地"))

    LIST_FILTERS: tuple[str, ...] = ("area",)
    AREA_LEVELS: tuple[str, ...] = PLACE_LEVELS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        if user is not None and isinstance(area, forms.ModelChoiceField):
            area.queryset = Area.objects.visible_to(user).filter(level__in=self.AREA_LEVELS)

    def list_filters(self) -> dict[str, Any]:
        """The filters that hold: the fields in error are left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {k: data[k] for k in self.LIST_FILTERS if data.get(k) not in (None, "", False)}


class PlaceDaysFilterForm(PlaceFilterForm):
    date_from = forms.DateField(label=_("日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("止"), required=False, widget=DateInput())

    LIST_FILTERS: tuple[str, ...] = ("area", "date_from", "date_to")
    AREA_LEVELS = FILTER_LEVELS


LEVEL_CHOICES = [("", _("全部层级")), *((str(lv), lv.label) for lv in PLACE_LEVELS)]


class AreaListFilterForm(PlaceFilterForm):
    """The area list (territory:list): ?area=<node in scope>&level=<subdistrict|zone|community|grid>&q=
    (name or pinyin). Like the cockpit's "territory.areas", a node counts itself and everything under it."""

    level = forms.ChoiceField(label=_("层级"), choices=LEVEL_CHOICES, required=False)
    q = forms.CharField(label=_("名称或拼音首字母"), max_length=50, required=False, strip=True)

    LIST_FILTERS = ("area", "level", "q")
