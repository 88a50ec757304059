"""The place and day filters a list shares with the case list, as the cockpit's links carry them:
?area=<public id of a subdistrict, community or grid in the viewer's scope>&date_from=&date_to= (local
days, both included). A value that does not hold (a place out of scope, a malformed date) is dropped
with its error shown; the other filters still apply. The template part is
territory/_place_days_filters.html (with `area_options` from selectors.filter_area_options)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, public_choice

from .models import Area, Level

FILTER_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)


class PlaceDaysFilterForm(forms.Form):
    area = public_choice(_("属地"), Area, empty_label=_("全部属地"))
    date_from = forms.DateField(label=_("日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("止"), required=False, widget=DateInput())

    LIST_FILTERS: tuple[str, ...] = ("area", "date_from", "date_to")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["area"].queryset = Area.objects.visible_to(user).filter(level__in=FILTER_LEVELS)

    def list_filters(self) -> dict[str, Any]:
        """The filters that hold: the fields in error are left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {k: data[k] for k in self.LIST_FILTERS if data.get(k) not in (None, "", False)}
