from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import FIGURES
from .readings import fmt

STANDING = ""  # the year choice of the standing targets


def target_years(today: datetime.date) -> list[int]:
    """The years a district may set targets for: last year, this year and the next two."""
    return [today.year - 1, today.year, today.year + 1, today.year + 2]


def chosen_year(value: Any, today: datetime.date) -> int | None:
    """The year asked for (None: the standing targets; anything not offered: the standing ones)."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if year in target_years(today) else None


class TargetsForm(forms.Form):
    """One optional value per figure of the catalogue (blank: no target), standing or for one year;
    for a year, each field shows the standing value it replaces."""

    def __init__(
        self,
        *args: Any,
        initial_values: dict[str, Decimal],
        standing: dict[str, Decimal] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for f in FIGURES:
            help_text = _("单位：%(unit)s") % {"unit": f.unit}
            if standing is not None:
                value = standing.get(f.key)
                help_text = (
                    _("单位：%(unit)s；常设目标：%(value)s") % {"unit": f.unit, "value": fmt(value)}
                    if value is not None
                    else _("单位：%(unit)s；未设常设目标") % {"unit": f.unit}
                )
            self.fields[f.key] = forms.DecimalField(
                label=f.label,
                required=False,
                min_value=0,
                max_value=Decimal("100") if f.rate else None,
                max_digits=14,
                decimal_places=2,
                initial=initial_values.get(f.key),
                help_text=help_text,
            )

    def values(self) -> dict[str, Decimal | None]:
        return {f.key: self.cleaned_data.get(f.key) for f in FIGURES}
