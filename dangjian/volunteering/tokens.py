"""The check-in QR codes: signed, time-limited tokens that rotate.

A token names what is scanned ("a" activity or "s" service post, by public id) and is signed with
Django's TimestampSigner, its timestamp pinned to the start of the current rotation period. So the
code on the worker's screen stays the same within a period (the page can refresh it without
flicker), changes with the next period, and is refused once two periods have passed: a photo of
the code passed around later is worthless.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "dangjian.volunteering.checkin"
KINDS = {"a": "activity", "s": "post"}


class TokenError(ValidationError):
    """A token that is forged, malformed or expired; the message is for the person who scanned."""


class _PeriodSigner(signing.TimestampSigner):
    def __init__(self, *, stamp: int):
        super().__init__(salt=SALT)
        self._stamp = stamp

    def timestamp(self) -> str:
        return signing.b62_encode(self._stamp)


@dataclass(frozen=True)
class Scanned:
    kind: str  # "activity" or "post"
    public_id: str
    issued_at: datetime.datetime


def period_start(now: datetime.datetime, rotate_minutes: int) -> int:
    step = rotate_minutes * 60
    return int(now.timestamp()) // step * step


def make_token(*, kind: str, public_id: object, rotate_minutes: int, now: datetime.datetime | None = None) -> str:
    if kind not in KINDS.values():
        raise ValueError(kind)
    code = next(k for k, v in KINDS.items() if v == kind)
    stamp = period_start(now or timezone.now(), rotate_minutes)
    return _PeriodSigner(stamp=stamp).sign(f"{code}.{public_id}")


def read_token(token: str) -> Scanned:
    """What a genuine token names, and when its period began (its age is checked by `check_fresh`)."""
    try:
        # The plain Signer proves the signature over value and timestamp; the age is checked against
        # a given `now` in check_fresh, so tests can move the clock.
        signed_value = signing.Signer(salt=SALT).unsign(token)
        value, stamp_text = signed_value.rsplit(":", 1)
        stamp = signing.b62_decode(stamp_text)
        code, public_id = value.split(".", 1)
    except (signing.BadSignature, ValueError) as exc:
        raise TokenError(_("二维码无效，请扫描现场屏幕上的二维码。")) from exc
    if code not in KINDS:
        raise TokenError(_("二维码无效，请扫描现场屏幕上的二维码。"))
    return Scanned(
        kind=KINDS[code], public_id=public_id, issued_at=datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    )


def check_fresh(scanned: Scanned, *, rotate_minutes: int, now: datetime.datetime | None = None) -> None:
    """A code is good during its period and the next one (a person scanning as it changes is not refused)."""
    age = ((now or timezone.now()) - scanned.issued_at).total_seconds()
    if age >= 2 * rotate_minutes * 60 or age < -60:
        raise TokenError(_("二维码已过期，请扫描现场屏幕上最新的二维码。"))


def seconds_to_next(now: datetime.datetime | None, rotate_minutes: int) -> int:
    now = now or timezone.now()
    return max(1, period_start(now, rotate_minutes) + rotate_minutes * 60 - int(now.timestamp()))


__all__ = ["Scanned", "TokenError", "make_token", "read_token", "seconds_to_next"]
