"""{{ value|figure:kind }}: a figure as the figures pages show it (kinds: core.figures.display)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html

register = template.Library()

NONE = "—"


@register.filter
def figure(value: Any, kind: str = "count") -> Any:
    if kind == "percent":
        return NONE if value is None else f"{localize(value)}%"
    if kind == "stars":
        return NONE if value is None else f"{localize(value)} ★"
    if kind == "value":
        return NONE if value is None else value
    if kind == "decimal":
        return floatformat(value, 1)
    if kind == "alarm":
        return format_html('<span class="badge badge-red">{}</span>', value) if value else 0
    return value
