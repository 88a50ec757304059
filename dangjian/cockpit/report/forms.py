from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..catalogue import GROUPS


class MonthForm(forms.Form):
    """A month as the browser's month picker sends it (YYYY-MM)."""

    month = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> datetime.date:
        value = self.cleaned_data["month"]
        try:
            return datetime.date.fromisoformat(f"{value}-01" if len(value) == 7 else value).replace(day=1)
        except ValueError as exc:
            raise forms.ValidationError(_("请选择月份。")) from exc


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("报告标题"), max_length=100)
    opening = forms.CharField(label=_("开头段落"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    closing = forms.CharField(label=_("结尾段落"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each group: included or not, and its place (1, 2, ...).
        # The included groups in their order, then the others in the catalogue's.
        places = {key: i + 1 for i, key in enumerate([*groups, *(g.key for g in GROUPS if g.key not in groups)])}
        for g in GROUPS:
            included = g.key in groups
            self.fields[f"include_{g.key}"] = forms.BooleanField(label=g.label, required=False, initial=included)
            self.fields[f"order_{g.key}"] = forms.IntegerField(
                label=_("顺序"),
                min_value=1,
                max_value=len(GROUPS),
                initial=places[g.key],
                widget=forms.NumberInput(attrs={"class": "order-input"}),
            )

    def group_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(g, self[f"include_{g.key}"], self[f"order_{g.key}"]) for g in GROUPS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [g for g in GROUPS if data.get(f"include_{g.key}")]
        if not chosen:
            raise forms.ValidationError(_("请至少选择一个指标组。"))
        index = {g.key: i for i, g in enumerate(GROUPS)}
        chosen.sort(key=lambda g: (data.get(f"order_{g.key}") or 99, index[g.key]))
        data["groups"] = [g.key for g in chosen]
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Word 模板（.docx）"))
