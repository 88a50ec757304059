"""Login throttling, kept in the database so it holds across processes and servers."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def seconds_locked(identifier: str, ip: str | None) -> int:
    """0 when sign-in may be tried; otherwise how many seconds until it may."""
    since = _window_start()
    limit = settings.LOGIN_MAX_FAILURES
    identifier = identifier.strip().lower()
    for field, value, factor in (("identifier", identifier, 1), ("ip", ip, 4)):
        if not value:
            continue
        # An address gets more tries than one account name, since offices share addresses.
        times = list(
            LoginFailure.objects.filter(**{field: value}, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[: limit * factor]
        )
        if len(times) >= limit * factor:
            unlock = times[-1] + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
            return max(1, int((unlock - timezone.now()).total_seconds()))
    return 0


def record_failure(identifier: str, ip: str | None) -> None:
    LoginFailure.objects.create(identifier=identifier.strip().lower()[:150], ip=ip or None)


def clear_failures(identifier: str) -> None:
    LoginFailure.objects.filter(identifier=identifier.strip().lower()).delete()


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=_window_start()).delete()
    return deleted
