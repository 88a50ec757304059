"""Throttling of the public self-service forms, per address, kept in the database.

The forms need no account, and matching by ID number and name could be tried over and over:
each address may submit REGISTRATION_PUBLIC_MAX_ATTEMPTS times per window, and fewer when
its submissions keep matching nobody. Counted in the database, so it holds across processes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import PublicFormAttempt

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_MAX_MISSES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "REGISTRATION_PUBLIC_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)),
        int(getattr(settings, "REGISTRATION_PUBLIC_MAX_MISSES", DEFAULT_MAX_MISSES)),
        int(getattr(settings, "REGISTRATION_PUBLIC_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)),
    )


def seconds_blocked(ip: str | None) -> int:
    """0 when the address may submit; otherwise how many seconds until it may."""
    max_attempts, max_misses, window = _limits()
    since = timezone.now() - timedelta(seconds=window)
    recent = PublicFormAttempt.objects.filter(ip=ip, at__gte=since).order_by("-at")
    for qs, limit in ((recent, max_attempts), (recent.filter(matched=False), max_misses)):
        times = list(qs.values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            unlock = times[-1] + timedelta(seconds=window)
            return max(1, int((unlock - timezone.now()).total_seconds()))
    return 0


def record_attempt(ip: str | None, *, matched: bool) -> None:
    PublicFormAttempt.objects.create(ip=ip, matched=matched)


def purge_old_attempts() -> int:
    _max_attempts, _max_misses, window = _limits()
    deleted, _ = PublicFormAttempt.objects.filter(at__lt=timezone.now() - timedelta(seconds=window)).delete()
    return deleted
