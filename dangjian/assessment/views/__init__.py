"""Pages of assessment: `schemes` (the district's schemes and a scheme's page), `sheets` (a score sheet,
its scores and steps, the printed sheet) and `reports` (the secretary's 述职, on the phone)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAV = "assessment"
PAGE_SIZE = 30


def flash(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def parse_points(value: Any) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"points": _("请填写分数。")}) from None
    if not points.is_finite():
        raise ValidationError({"points": _("请填写分数。")})
    return points


def parse_version(value: Any) -> int | None:
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None
