"""SMS verification codes: send one (throttled, with a picture captcha after repeated requests), check
what a person typed (limited tries, expiry), and redeem a checked code for the one sign-up or password
reset it allows.

Codes are stored as a keyed hash (HMAC with SECRET_KEY): a copy of the table does not give them away,
and a six-digit code needs no slow password hash since it dies in minutes and allows five tries.
The rows are also the throttle's memory, so the limits hold across processes and servers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from dangjian.core.validators import validate_mobile
from dangjian.notifications.channels import DeliveryError, backend

from ..models import PhoneCode, PhoneCodePurpose

HOUR = timedelta(hours=1)
TEMPLATE = "verify_code"


@dataclass(frozen=True)
class Limits:
    ttl_seconds: int
    max_tries: int
    gap_seconds: int
    mobile_per_hour: int
    ip_per_hour: int
    captcha_after: int
    verified_seconds: int


def limits() -> Limits:
    """The rules, from settings with the defaults the issue asks for."""
    s = settings
    return Limits(
        ttl_seconds=getattr(s, "PHONE_CODE_TTL_SECONDS", 300),
        max_tries=getattr(s, "PHONE_CODE_MAX_TRIES", 5),
        gap_seconds=getattr(s, "PHONE_CODE_GAP_SECONDS", 60),
        mobile_per_hour=getattr(s, "PHONE_CODE_MOBILE_PER_HOUR", 5),
        ip_per_hour=getattr(s, "PHONE_CODE_IP_PER_HOUR", 20),
        captcha_after=getattr(s, "PHONE_CODE_CAPTCHA_AFTER", 3),
        verified_seconds=getattr(s, "PHONE_CODE_VERIFIED_SECONDS", 30 * 60),
    )


def _hash(mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("dangjian.accounts.phone_code", f"{mobile}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _recent(q: Q) -> int:
    return PhoneCode.objects.filter(q, created_at__gt=timezone.now() - HOUR).count()


def captcha_required(*, mobile: str | None, ip: str | None) -> bool:
    """Whether the next request from this address (or for this mobile) must pass a picture captcha."""
    after = limits().captcha_after
    if ip and _recent(Q(ip=ip)) >= after:
        return True
    return bool(mobile) and _recent(Q(mobile=mobile)) >= after


def _minutes(seconds: float) -> int:
    return max(1, int((seconds + 59) // 60))


def _throttle(mobile: str, ip: str | None, now) -> None:
    rules = limits()
    last = PhoneCode.objects.filter(mobile=mobile).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and (now - last).total_seconds() < rules.gap_seconds:
        wait = rules.gap_seconds - int((now - last).total_seconds())
        raise ValidationError({"mobile": _("验证码已发送，请 %(s)s 秒后再重新获取。") % {"s": max(1, wait)}})
    hour_ago = now - HOUR
    sent = list(
        PhoneCode.objects.filter(mobile=mobile, created_at__gt=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: rules.mobile_per_hour]
    )
    if len(sent) >= rules.mobile_per_hour:
        wait = (sent[-1] + HOUR - now).total_seconds()
        message = _("该手机号一小时内获取验证码已达 %(n)s 次，请 %(m)s 分钟后再试。")
        raise ValidationError({"mobile": message % {"n": rules.mobile_per_hour, "m": _minutes(wait)}})
    if ip and PhoneCode.objects.filter(ip=ip, created_at__gt=hour_ago).count() >= rules.ip_per_hour:
        raise ValidationError(_("此网络获取验证码过于频繁，请一小时后再试。"))


@transaction.atomic
def code_send(*, mobile: str, purpose: str, ip: str | None, captcha_passed: bool = False) -> PhoneCode:
    """Send a new code to `mobile`. Refused with a message saying why (bad number, too soon, too many,
    captcha needed); a code the SMS provider did not take is not kept, so it does not count."""
    if purpose not in PhoneCodePurpose.values:
        raise ValueError(purpose)
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from exc
    now = timezone.now()
    if not captcha_passed and captcha_required(mobile=mobile, ip=ip):
        raise ValidationError({"captcha": _("获取验证码次数较多，请先输入图片中的字符。")})
    _throttle(mobile, ip, now)
    rules = limits()
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        with transaction.atomic():
            row = PhoneCode.objects.create(
                mobile=mobile,
                purpose=purpose,
                code_hash=_hash(mobile, purpose, code),
                ip=ip or None,
                created_at=now,
                minute=int(now.timestamp() // 60),
                expires_at=now + timedelta(seconds=rules.ttl_seconds),
            )
    except IntegrityError as exc:  # another request for this mobile won the same minute
        raise ValidationError({"mobile": _("验证码已发送，请稍后再重新获取。")}) from exc
    minutes = str(rules.ttl_seconds // 60)
    text = _("【党建引领基层治理】您的验证码是 %(code)s，%(m)s 分钟内有效，请勿告诉他人。") % {
        "code": code,
        "m": minutes,
    }
    try:
        backend("sms").send(
            address=mobile,
            template=TEMPLATE,
            params={"code": code, "minutes": minutes},
            text=text,
            idempotency_key=f"phone-code:{row.pk}",
        )
    except DeliveryError as exc:
        # Rolls the row back: an unsent code neither counts against the person nor can be typed.
        raise ValidationError(_("短信发送失败，请稍后再试。")) from exc
    return row


def code_verify(*, mobile: str, purpose: str, code: str) -> PhoneCode:
    """Check `code` against the latest code sent to `mobile` for `purpose`; mark it verified.

    A wrong code uses up a try, which is kept even though the check is refused (the update commits
    before the refusal is raised)."""
    code = (code or "").strip()
    rules = limits()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(mobile=mobile, purpose=purpose, verified_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if row is None:
            problem = _("请先获取验证码。")
        elif now >= row.expires_at:
            problem = _("验证码已过期，请重新获取。")
        elif row.tries >= rules.max_tries:
            problem = _("验证码错误次数过多，请重新获取。")
        elif not constant_time_compare(row.code_hash, _hash(mobile, purpose, code)):
            row.tries += 1
            row.save(update_fields=["tries"])
            left = rules.max_tries - row.tries
            problem = (
                _("验证码不正确，还可再试 %(n)s 次。") % {"n": left} if left else _("验证码错误次数过多，请重新获取。")
            )
        else:
            row.verified_at = now
            row.save(update_fields=["verified_at"])
            problem = None
    if problem or row is None:
        raise ValidationError({"code": problem})
    return row


def code_redeem(*, code_id: int, mobile: str, purpose: str) -> None:
    """Use up a verified code for the one write it allows, inside the caller's transaction.

    A conditional update: of two requests racing with one code, exactly one gets the row."""
    fresh_after = timezone.now() - timedelta(seconds=limits().verified_seconds)
    used = PhoneCode.objects.filter(
        pk=code_id, mobile=mobile, purpose=purpose, verified_at__gte=fresh_after, redeemed_at__isnull=True
    ).update(redeemed_at=timezone.now())
    if not used:
        raise ValidationError(_("手机验证已失效，请重新获取验证码。"))


def verified_code(*, code_id: int | None, mobile: str | None, purpose: str) -> PhoneCode | None:
    """The verified, unused code a session holds, while it is still fresh; else None."""
    if not code_id or not mobile:
        return None
    fresh_after = timezone.now() - timedelta(seconds=limits().verified_seconds)
    return PhoneCode.objects.filter(
        pk=code_id, mobile=mobile, purpose=purpose, verified_at__gte=fresh_after, redeemed_at__isnull=True
    ).first()


def purge_old_codes() -> int:
    """Codes older than a day are of no use to anyone (the throttle looks back an hour)."""
    deleted, _n = PhoneCode.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted
