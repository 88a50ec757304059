"""The default fund kinds of a district and how a yearly floor is reckoned from a kind's rule.

The defaults follow the seeds (001: 服务群众专项经费 不少于10万元/社区/年, 工作经费 5万元/年, 街长制工作经费
30–50万元/街道 by households, funds from 双报到 units and the community's own income; 003: 党员活动经费
200–400元/党员/年). They are written as FundKind rows per district (services.kinds.ensure_kinds) and are
edited there (the admin and the district's settings page), never read from here at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Level, Rule

ZERO = Decimal(0)

SERVICE = "service"
OFFICE = "office"
STREET = "street"
MEMBER = "member"
MICRO = "micro"
DUES_RETURN = "dues_return"
COBUILD = "cobuild"
OWN = "own"


@dataclass(frozen=True)
class KindDefault:
    code: str
    name: Any
    level: str = Level.COMMUNITY
    rule: str = Rule.NONE
    fixed_amount: Decimal = ZERO
    per_unit_min: Decimal = ZERO
    per_unit_max: Decimal = ZERO
    total_min: Decimal = ZERO
    total_max: Decimal = ZERO
    note: Any = ""


DEFAULT_KINDS: tuple[KindDefault, ...] = (
    KindDefault(
        SERVICE,
        _("服务群众专项经费"),
        rule=Rule.FIXED,
        fixed_amount=Decimal(100000),
        note=_("每个社区每年服务群众专项经费不少于10万元"),
    ),
    KindDefault(OFFICE, _("社区工作经费"), rule=Rule.FIXED, fixed_amount=Decimal(50000), note=_("工作经费每年5万元")),
    KindDefault(
        STREET,
        _("街长制工作经费"),
        level=Level.SUBDISTRICT,
        rule=Rule.HOUSEHOLD,
        per_unit_min=Decimal(20),
        per_unit_max=Decimal(40),
        total_min=Decimal(300000),
        total_max=Decimal(500000),
        note=_("按户数核定，每个街道每年30万至50万元"),
    ),
    KindDefault(
        MEMBER,
        _("党员活动经费"),
        rule=Rule.MEMBER,
        per_unit_min=Decimal(200),
        per_unit_max=Decimal(400),
        note=_("按每名党员每年200至400元"),
    ),
    KindDefault(MICRO, _("民生微实事资金")),
    KindDefault(DUES_RETURN, _("党费返还")),
    KindDefault(COBUILD, _("共建单位支持")),
    KindDefault(OWN, _("社区自有收入")),
)


def floor_of(kind: Any, *, households: int = 0, members: int = 0) -> Decimal:
    """The yearly floor of one area for one kind (0: no floor)."""
    if kind.rule == Rule.FIXED:
        return Decimal(kind.fixed_amount)
    if kind.rule == Rule.HOUSEHOLD:
        amount = Decimal(kind.per_unit_min) * households
        if kind.total_min:
            amount = max(amount, Decimal(kind.total_min))
        if kind.total_max:
            amount = min(amount, Decimal(kind.total_max))
        return amount
    if kind.rule == Rule.MEMBER:
        return Decimal(kind.per_unit_min) * members
    return ZERO
