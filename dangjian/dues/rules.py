"""The bracket table: a district's `DuesRules` in force for a month, else the 2008 defaults.

中组发〔2008〕3号, 第二条: "每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；
3000元以上至5000元（含5000元）者，交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；10000元以上
者，交纳2%". Each upper bound is inclusive: 3,000.00 pays 0.5 %, 3,000.01 pays 1 %. Retirees: 5,000
and below (inclusive) 0.5 %, above 1 %. Students, the unemployed and those living on relief or the
minimum living allowance 0.20 元; farmers 0.20–1.00 元 (the member's chosen amount, 0.20 by default).
第十条: a change of pay applies from the month the new pay starts. Amounts are rounded half up to the fen.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.periods import add_months as add_months  # the months of dues: first days in, first days out

from .models import Bracket, DuesRules, PayCategory

FEN = Decimal("0.01")
DEFAULT_FROM = datetime.date(2008, 4, 1)
DEFAULT_BACKPAY_MONTHS = 6


@dataclass(frozen=True)
class Row:
    category: str
    up_to: Decimal | None
    rate: Decimal | None = None
    fixed: Decimal | None = None
    fixed_max: Decimal | None = None


D = Decimal
DEFAULT_BRACKETS: tuple[Row, ...] = (
    Row(PayCategory.SALARIED, D("3000"), rate=D("0.5")),
    Row(PayCategory.SALARIED, D("5000"), rate=D("1")),
    Row(PayCategory.SALARIED, D("10000"), rate=D("1.5")),
    Row(PayCategory.SALARIED, None, rate=D("2")),
    Row(PayCategory.RETIRED, D("5000"), rate=D("0.5")),
    Row(PayCategory.RETIRED, None, rate=D("1")),
    Row(PayCategory.FARMER, None, fixed=D("0.20"), fixed_max=D("1.00")),
    Row(PayCategory.STUDENT, None, fixed=D("0.20")),
    Row(PayCategory.UNEMPLOYED, None, fixed=D("0.20")),
    Row(PayCategory.SUBSISTENCE, None, fixed=D("0.20")),
)


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    effective_from: datetime.date
    max_backpay_months: int = DEFAULT_BACKPAY_MONTHS
    rules_id: int | None = None


DEFAULT_TABLE = Table(DEFAULT_BRACKETS, DEFAULT_FROM)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def table_for(district_id: int | None, month: datetime.date, cache: dict | None = None) -> Table:
    """The table in force in `month` for the district (its latest rules from on or before the month)."""
    key = (district_id, month)
    if cache is not None and key in cache:
        return cache[key]
    table = DEFAULT_TABLE
    if district_id is not None:
        rules = (
            DuesRules.objects.filter(district_id=district_id, effective_from__lte=month)
            .order_by("-effective_from")
            .first()
        )
        if rules is not None:
            rows = tuple(
                Row(b.category, b.up_to, b.rate, b.fixed, b.fixed_max)
                for b in Bracket.objects.filter(rules=rules).order_by("category", "up_to")
            )
            if rows:
                table = Table(rows, rules.effective_from, rules.max_backpay_months, rules.pk)
    if cache is not None:
        cache[key] = table
    return table


def _sorted(rows: list[Row]) -> list[Row]:
    # Bounded rows first, in ascending order; the open-ended row (no upper bound) last.
    return sorted(rows, key=lambda r: (r.up_to is None, r.up_to or 0))


def monthly_amount(table: Table, category: str, monthly_pay: Decimal | None, chosen: Decimal | None = None) -> Decimal:
    """The month's dues for a member of `category` with after-tax pay `monthly_pay`."""
    rows = _sorted([r for r in table.rows if r.category == category])
    if not rows:
        raise ValidationError(_("本区党费交纳标准中没有该类别。"))
    for row in rows:
        if row.fixed is not None:
            if chosen is not None and row.fixed_max is not None and row.fixed <= chosen <= row.fixed_max:
                return chosen.quantize(FEN)
            return row.fixed.quantize(FEN)
        if row.up_to is None or (monthly_pay is not None and monthly_pay <= row.up_to):
            if monthly_pay is None:
                raise ValidationError(_("请填写税后月收入。"))
            assert row.rate is not None
            return (monthly_pay * row.rate / 100).quantize(FEN, rounding=ROUND_HALF_UP)
    raise ValidationError(_("本区党费交纳标准没有覆盖该收入。"))  # a table without an open-ended row


def install_defaults(*, district, effective_from: datetime.date = DEFAULT_FROM) -> DuesRules:
    """Write the default table for a district as editable data (the admin then edits it)."""
    rules, created = DuesRules.objects.get_or_create(district=district, effective_from=month_of(effective_from))
    if created:
        Bracket.objects.bulk_create(
            Bracket(rules=rules, category=r.category, up_to=r.up_to, rate=r.rate, fixed=r.fixed, fixed_max=r.fixed_max)
            for r in DEFAULT_BRACKETS
        )
    return rules
