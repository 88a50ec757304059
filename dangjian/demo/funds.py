"""Demo 经费管理 (a DEMO_EXTENSIONS step, run before 民生微实事, whose projects commit and pay through
the funds API).

For the current year every community and subdistrict gets its guaranteed funds per the district's
rules (服务群众专项经费 10万, 社区工作经费 5万, 党员活动经费 by members, 街长制工作经费 by households), plus
民生微实事资金 large enough for the projects, and some 共建单位支持 and 社区自有收入. One community is
below its 服务群众专项经费 floor (the overview flags it). Every allocation is entered by 周明 (qu_admin)
and approved by a second district administrator, 吴敏 (qu_finance), early in the year; one allocation
waits for approval. Everything goes through the services, so the ledger and the figures reconcile.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts import services as account_services
from dangjian.accounts.models import User
from dangjian.core.tree import subtree_q
from dangjian.funds.models import Allocation, FloorBasis, Rule
from dangjian.funds.rules import floor_of
from dangjian.funds.services import book
from dangjian.funds.services.allocations import allocate_now, allocation_enter
from dangjian.funds.services.kinds import bases_refresh
from dangjian.territory.models import Area, Level

from .accounts import DEMO_PASSWORD
from .clock import clock

if TYPE_CHECKING:
    from .builder import Built

ENTERER = "qu_admin"
APPROVER = ("qu_finance", "吴敏", "13800001601")
BELOW = 1  # the index of the community whose 服务群众专项经费 stays under the floor
MICRO_PER_COMMUNITY = Decimal("1500000")  # room for the demo's 民生微实事 projects
EXTRA_INCOME = 2  # communities that also show 共建单位支持 and 社区自有收入


def _approver(district: Area) -> User:
    username, name, mobile = APPROVER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            actor=None, username=username, password=DEMO_PASSWORD, full_name=name, mobile=mobile, validate=False
        )
        account_services.role_assign(actor=None, user=user, role="district_admin", area=district)
    return user


def _at(today: datetime.date, days_in: int) -> datetime.datetime:
    """A moment early in the year (never after today)."""
    day = min(datetime.date(today.year, 1, 1) + datetime.timedelta(days=days_in), today)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    enterer = User.objects.filter(username=ENTERER).first()
    if district is None or enterer is None or Allocation.objects.exists():
        return
    today = timezone.localdate()
    year = today.year
    approver = _approver(district)
    with clock(_at(today, 0)):  # the kinds are set and the year's bases reckoned on its first day (funds.tasks)
        kinds = {k.code: k for k in book.ensure_kinds(district)}
        bases_refresh(actor=None, district=district, year=year)
    bases = {b.area_id: b for b in FloorBasis.objects.filter(year=year)}
    areas = list(Area.objects.filter(subtree_q("path", district.path), level__in=[Level.COMMUNITY, Level.SUBDISTRICT]))
    communities = sorted((a for a in areas if a.level == Level.COMMUNITY), key=lambda a: a.path)
    subdistricts = sorted((a for a in areas if a.level == Level.SUBDISTRICT), key=lambda a: a.path)

    def give(area: Area, code: str, amount: Decimal, days_in: int, memo: str) -> None:
        if amount <= 0:
            return
        with clock(_at(today, days_in)):
            allocate_now(actor=enterer, approver=approver, area=area, kind=code, year=year, amount=amount, memo=memo)

    for index, community in enumerate(communities):
        basis = bases.get(community.pk)
        members = basis.members if basis else 0
        for code in ("service", "office", "member"):
            kind = kinds[code]
            if not kind.active or kind.rule == Rule.NONE:
                continue
            floor = floor_of(kind, households=basis.households if basis else 0, members=members)
            if code == "service" and index == BELOW:
                floor = (floor * Decimal("0.6")).quantize(Decimal(1))  # 6万 of 10万: flagged
            elif code == "member":
                floor = Decimal(kind.per_unit_max) * members if members else Decimal(0)
            give(community, code, floor, 10 + index, f"{year}年{kind.name}")
        give(community, "micro", MICRO_PER_COMMUNITY, 20 + index, f"{year}年民生微实事资金")
        if index < EXTRA_INCOME:
            give(community, "cobuild", Decimal(local.randrange(2, 9) * 5000), 40 + index, "双报到单位共建支持")
            give(community, "own", Decimal(local.randrange(1, 6) * 10000), 50 + index, "社区集体物业出租收益")
    for index, sub in enumerate(subdistricts):
        basis = bases.get(sub.pk)
        floor = floor_of(kinds["street"], households=basis.households if basis else 0)
        give(sub, "street", floor, 15 + index, f"{year}年街长制工作经费")
    if len(communities) > BELOW:
        # The top-up that would bring the flagged community to its floor waits for approval.
        with clock(_at(today, 200)):
            allocation_enter(
                actor=enterer,
                area=communities[BELOW],
                kind="service",
                year=year,
                amount=Decimal("40000"),
                memo="补足服务群众专项经费",
            )
