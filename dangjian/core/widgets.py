"""The one date, datetime and time input every form uses.

The browser's <input type="date"> accepts only ISO values (2026-12-07): a value in the locale's format
(zh-hans renders 2026/12/07) is thrown away and the field shows blank. So these widgets always render ISO,
whatever the language."""

from __future__ import annotations

from typing import Any

from django import forms

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
TIME_FORMAT = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs=attrs, format=format or DATE_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs=attrs, format=format or DATETIME_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs=attrs, format=format or TIME_FORMAT)


def public_choice(
    label: Any, model: Any, *, empty_label: Any = None, required: bool = False, **kwargs: Any
) -> forms.ModelChoiceField:
    """A choice of one `model` row by its public id (URLs and forms never carry primary keys). It offers
    nothing until the form's __init__ sets the queryset to what the viewer may pick."""
    from django.utils.translation import gettext_lazy

    return forms.ModelChoiceField(
        label=label,
        required=required,
        queryset=model.objects.none(),
        to_field_name="public_id",
        empty_label=empty_label if empty_label is not None else gettext_lazy("请选择"),
        **kwargs,
    )
