from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import FIGURES


class TargetsForm(forms.Form):
    """One optional value per figure of the catalogue (blank: no target)."""

    def __init__(self, *args: Any, initial_values: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in FIGURES:
            self.fields[f.key] = forms.DecimalField(
                label=f.label,
                required=False,
                min_value=0,
                max_value=Decimal("100") if f.rate else None,
                max_digits=14,
                decimal_places=2,
                initial=initial_values.get(f.key),
                help_text=_("单位：%(unit)s") % {"unit": f.unit},
            )

    def values(self) -> dict[str, Decimal | None]:
        return {f.key: self.cleaned_data.get(f.key) for f in FIGURES}
