"""Pages of deliberation, by sub-domain. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NAV = "deliberation"
PAGE_SIZE = 20


def flash(request, exc: ValidationError) -> None:
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


def roster_lines(text: str) -> list[dict[str, str]]:
    """One name per line (duplicates and blanks dropped): the people due at a meeting."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        name = line.strip()[:50]
        if name and name not in seen:
            seen.append(name)
    return [{"name": n} for n in seen]
