"""QR codes to scan on site: signed, time-limited tokens that rotate.

A token names what is scanned (a one-letter kind code and a public id) and is signed with Django's
TimestampSigner under the codec's own salt, its timestamp pinned to the start of the current rotation
period. So the code on the screen stays the same within a period (the page can refresh it without
flicker), changes with the next period, and is refused once two periods have passed: a photo of the
code passed around later is worthless. Each app declares one `QrCodec` (its salt, its kinds, its
wording) and keeps it next to the code that reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenError(ValidationError):
    """A token that is forged, malformed or expired; the message is for the person who scanned."""


@dataclass(frozen=True)
class Scanned:
    kind: str
    public_id: str
    issued_at: datetime.datetime


def period_start(now: datetime.datetime, rotate_minutes: int) -> int:
    step = rotate_minutes * 60
    return int(now.timestamp()) // step * step


def seconds_to_next(now: datetime.datetime | None, rotate_minutes: int) -> int:
    """How long the current code stays on screen (for the page's refresh)."""
    now = now or timezone.now()
    return max(1, period_start(now, rotate_minutes) + rotate_minutes * 60 - int(now.timestamp()))


class _PeriodSigner(signing.TimestampSigner):
    def __init__(self, *, salt: str, stamp: int):
        super().__init__(salt=salt)
        self._stamp = stamp

    def timestamp(self) -> str:
        return signing.b62_encode(self._stamp)


@dataclass(frozen=True)
class QrCodec:
    """One family of codes: `salt` keeps another family's tokens out; `kinds` maps the one-letter code
    written in a token to the kind's name; the two messages are what a person who scanned reads."""

    salt: str
    kinds: Mapping[str, str]
    invalid: Any = field(default=_("二维码无效，请扫描现场屏幕上的二维码。"))
    expired: Any = field(default=_("二维码已过期，请扫描现场屏幕上最新的二维码。"))

    def make(self, *, kind: str, public_id: object, rotate_minutes: int, now: datetime.datetime | None = None) -> str:
        code = next((k for k, v in self.kinds.items() if v == kind), None)
        if code is None:
            raise ValueError(kind)
        stamp = period_start(now or timezone.now(), rotate_minutes)
        return _PeriodSigner(salt=self.salt, stamp=stamp).sign(f"{code}.{public_id}")

    def read(self, token: str) -> Scanned:
        """What a genuine token names, and when its period began (its age: `check_fresh`)."""
        try:
            # The plain Signer proves the signature over value and timestamp; the age is checked
            # against a given `now` in check_fresh, so tests can move the clock.
            signed_value = signing.Signer(salt=self.salt).unsign(token)
            value, stamp_text = signed_value.rsplit(":", 1)
            stamp = signing.b62_decode(stamp_text)
            code, public_id = value.split(".", 1)
        except (signing.BadSignature, ValueError) as exc:
            raise TokenError(str(self.invalid)) from exc
        if code not in self.kinds:
            raise TokenError(str(self.invalid))
        issued_at = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
        return Scanned(kind=self.kinds[code], public_id=public_id, issued_at=issued_at)

    def check_fresh(self, scanned: Scanned, *, rotate_minutes: int, now: datetime.datetime | None = None) -> None:
        """Good during its period and the next one (a person scanning as it changes is not refused)."""
        age = ((now or timezone.now()) - scanned.issued_at).total_seconds()
        if age >= 2 * rotate_minutes * 60 or age < -60:
            raise TokenError(str(self.expired))

    def read_fresh(self, token: str, *, rotate_minutes: int, now: datetime.datetime | None = None) -> Scanned:
        scanned = self.read(token)
        self.check_fresh(scanned, rotate_minutes=rotate_minutes, now=now)
        return scanned
