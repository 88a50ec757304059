"""Pages of co-building, by sub-domain. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NAV = "cobuilding"
PAGE_SIZE = 20


def flash(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def parse_date(value: str, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_("请填写%(w)s（年-月-日）。") % {"w": what}) from None


def parse_datetime(value: str, what: str) -> datetime.datetime:
    try:
        naive = datetime.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_("请填写%(w)s（年-月-日 时:分）。") % {"w": what}) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def parse_int(value: Any, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def parse_float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def year_of(request: Any) -> int:
    today = timezone.localdate()
    year = parse_int(request.GET.get("year"), today.year)
    return year if 2000 <= year <= today.year + 1 else today.year


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
