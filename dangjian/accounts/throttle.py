"""Login throttling, kept in the database so it holds across processes and servers.

Failures count per account (the username and the mobile number name one account, so both count
together) and per client address. An account with too many failures is locked for the window.
An address with too many failures gets only a refusal for what fails anyway: its failures name no
account or a wrong password, so they cannot lock out a real account signing in correctly from the
same office network (each account is still protected by its own counter).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import LoginFailure

# An address gets more tries than one account, since offices share addresses.
ADDRESS_FACTOR = 4


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _normal(identifier: str) -> str:
    return identifier.strip().lower()[:150]


def _account_q(identifier: str, account: Any) -> Q:
    # A name no account has is counted by itself, so it reads like a real one (no account guessing).
    return Q(user=account) if account is not None else Q(user=None, identifier=_normal(identifier))


def _wait(failures, limit: int) -> int:
    times = list(failures.filter(at__gte=_window_start()).order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    unlock = times[-1] + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return max(1, int((unlock - timezone.now()).total_seconds()))


def account_seconds_locked(identifier: str, account: Any) -> int:
    """0 when the account may be tried; otherwise how many seconds until it may."""
    return _wait(LoginFailure.objects.filter(_account_q(identifier, account)), settings.LOGIN_MAX_FAILURES)


def address_seconds_limited(ip: str | None) -> int:
    """0 while the address is under its limit; otherwise how many seconds until it is again."""
    if not ip:
        return 0
    return _wait(LoginFailure.objects.filter(ip=ip), settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR)


def record_failure(identifier: str, ip: str | None, account: Any) -> None:
    LoginFailure.objects.create(identifier=_normal(identifier), ip=ip or None, user=account)


def clear_failures(account: Any) -> None:
    LoginFailure.objects.filter(user=account).delete()


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=_window_start()).delete()
    return deleted
