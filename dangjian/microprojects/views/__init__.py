"""Pages of 民生微实事, by sub-domain. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NAV = "microprojects"
PAGE_SIZE = 20


def flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def parse_datetime(value: str, what: str) -> datetime.datetime:
    try:
        naive = datetime.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(_("请填写%(w)s（年-月-日 时:分）。") % {"w": what}) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def parse_percent(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({"percent": _("完成进度请填写 0 到 100 的整数。")})
    return int(value)
