"""Validators for Chinese identifiers that imports and forms check.

GB 11643-1999 citizen ID numbers, GB 32100-2015 unified social credit codes, mainland
mobile numbers. Each returns the normalized value or raises ValidationError in Chinese.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
# First two digits: the province-level division (GB/T 2260).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}  # fmt: skip

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Windows (days) for the dates people type, see check_date_within.
MONTH_DAYS = 31
YEAR_DAYS = 366
DECADE_DAYS = 3653
CENTURY_DAYS = 36525


def citizen_id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_citizen_id(value: str, *, today: datetime.date | None = None) -> str:
    """An 18-character ID number: region, birth date, sequence, check character (GB 11643)."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("身份证号应为 18 位，前 17 位是数字，最后一位是数字或 X。"))
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号前两位「%(code)s」不是有效的省级行政区划代码。") % {"code": value[:2]})
    birth = citizen_id_birth_date(value)
    if birth is None:
        raise ValidationError(_("身份证号中的出生日期「%(d)s」不存在。") % {"d": value[6:14]})
    if birth > (today or datetime.date.today()) or birth.year < 1900:
        raise ValidationError(_("身份证号中的出生日期「%(d)s」不合理。") % {"d": value[6:14]})
    expected = citizen_id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(_("身份证号校验位错误（应为 %(c)s），请核对号码。") % {"c": expected})
    return value


def citizen_id_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def citizen_id_sex(value: str) -> str:
    """'male' or 'female', from the parity of the 17th digit."""
    return "male" if int(value[16]) % 2 else "female"


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """An 18-character unified social credit code (GB 32100-2015) with its check character."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(_("统一社会信用代码应为 18 位（当前 %(n)s 位）。") % {"n": len(value)})
    bad = sorted({c for c in value if c not in CREDIT_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。") % {"chars": "、".join(bad)}
        )
    if not value[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第 3–8 位应为行政区划代码（数字）。"))
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(_("统一社会信用代码校验位错误（应为 %(c)s），请核对。") % {"c": expected})
    return value


def validate_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE_RE.fullmatch(value):
        raise ValidationError(_("手机号应为以 1 开头的 11 位数字。"))
    return value


def mask_citizen_id(value: str) -> str:
    """'11010519491231002X' -> '110105********002X' (design.md)."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def check_date_within(
    value: datetime.date | datetime.datetime | None,
    *,
    past: int | None = None,
    future: int | None = None,
    today: datetime.date | None = None,
) -> None:
    """A date a person typed must lie within `past` days before today and `future` days after it.

    None on a side leaves that side open. The message names the allowed window, so 9999-12-31 or a
    mistyped year is refused with the dates the person may choose between.
    """
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date() if timezone.is_naive(value) else timezone.localtime(value).date()
    today = today or timezone.localdate()
    earliest = today - datetime.timedelta(days=past) if past is not None else None
    latest = today + datetime.timedelta(days=future) if future is not None else None
    if (earliest is None or value >= earliest) and (latest is None or value <= latest):
        return
    if earliest is not None and latest is not None:
        message = _("日期「%(d)s」超出允许范围：应在 %(lo)s 至 %(hi)s 之间。")
    elif earliest is not None:
        message = _("日期「%(d)s」超出允许范围：不能早于 %(lo)s。")
    else:
        message = _("日期「%(d)s」超出允许范围：不能晚于 %(hi)s。")
    raise ValidationError(
        message
        % {
            "d": value.isoformat(),
            "lo": earliest.isoformat() if earliest else "",
            "hi": latest.isoformat() if latest else "",
        },
        code="date_out_of_range",
    )


def date_within(*, past: int | None = None, future: int | None = None):
    """A form-field validator for check_date_within: `validators=[date_within(past=0, future=365)]`.

    The window is computed when the value is checked, so a long-running process keeps a current window."""

    def validator(value: datetime.date | datetime.datetime | None) -> None:
        check_date_within(value, past=past, future=future)

    return validator
