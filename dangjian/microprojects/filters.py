"""The project list's place, date and state filters, as the case list has them and the cockpit's
links carry them: ?area=<public id of a subdistrict, community or grid in scope>&date_from=&date_to=
(local days of proposal, both included)&unwithdrawn=on. A value that does not hold is dropped with
its error shown; the other filters still apply."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateInput, public_choice
from dangjian.territory.models import Area, Level

from .models import Status

LIST_FILTERS = ("area", "date_from", "date_to", "unwithdrawn")


class ProjectFilterForm(forms.Form):
    area = public_choice(_("属地"), Area, empty_label=_("全部属地"))
    date_from = forms.DateField(label=_("提议日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("止"), required=False, widget=DateInput())
    unwithdrawn = forms.BooleanField(label=_("不含撤回"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(level__in=levels)

    def filters(self) -> dict[str, Any]:
        """The filters that hold (the fields in error left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: self.cleaned_data[k] for k in LIST_FILTERS if self.cleaned_data.get(k) not in (None, "", False)}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    unwithdrawn: bool = False,
) -> Q:
    """`area`: a node resolved in scope (a project lies at its community: a grid holds none); the dates
    on the stored aware datetime, so the (area_path, proposed_at) index serves them."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    if date_from:
        f &= Q(proposed_at__gte=_day_start(date_from))
    if date_to:
        f &= Q(proposed_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if unwithdrawn:
        f &= ~Q(status=Status.WITHDRAWN)
    return f
