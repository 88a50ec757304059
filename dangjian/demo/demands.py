"""Demo demands (a DEMO_EXTENSIONS step, after the accounts, registrations and cases).

About 120 demands over the demo district's communities, in every state, taken through the loop's own
services by the demo's people: residents submit (one resident account per community is made when the
community has none), the district admin accepts, declines, publishes and dispatches, members take,
do and record hours, residents rate; some are withdrawn and some done ones closed unrated. The demo
member (dy_member) takes most of 婆石社区's, so the phone shows their hours and points after the
settlement credits them. Each demand's steps are taken at their moments in the past (up to four
months; dangjian.demo.clock), so the logs read as in life and the figures and the lateness scans
have something to show. Everything follows from the seeded random.Random.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import role_assign, user_create
from dangjian.demands import services
from dangjian.demands.models import AssigneeKind, Demand, DemandKind, DemandStatus, NeedCategory
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area, Estate, Level
from dangjian.units.models import ResidentUnit

from .accounts import DEMO_PASSWORD
from .clock import clock
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

DISTRICT_NAME = "香洲区"
HOME_COMMUNITY = "婆石社区"
DEMANDS = 120
MAX_AGE_DAYS = 120
# Target states and how many of the 120 end in each (every state appears).
PLAN = (
    (DemandStatus.SUBMITTED, 10),
    (DemandStatus.DECLINED, 6),
    (DemandStatus.WITHDRAWN, 4),
    (DemandStatus.ACCEPTED, 8),
    (DemandStatus.PUBLISHED, 8),
    (DemandStatus.DISPATCHED, 10),
    (DemandStatus.TAKEN, 14),
    (DemandStatus.DONE, 12),
    (DemandStatus.RATED, 40),
    (DemandStatus.CLOSED, 8),
)
TITLES = {
    DemandKind.MICRO_WISH: ["想要一台助听器", "孩子想要一套课外书", "希望有人教我用智能手机", "想要一辆儿童自行车",
                            "希望有人陪我去公园走走", "想学做短视频给孙子看"],
    DemandKind.FAMILY_HELP: ["独居老人需要代买药品", "帮忙更换厨房灯泡", "陪同老人到医院复诊", "疏通卫生间下水道",
                             "帮忙搬运旧家具", "辅导孩子周末功课"],
    DemandKind.PUBLIC_NEED: ["小区楼道堆物需要清理", "希望开展一次防诈骗宣讲", "楼下健身器材需要维修",
                             "希望组织一次义诊", "小区需要增设电动车充电点", "希望开设老年人书法班"],
}  # fmt: skip
DONE_NOTES = [
    "已上门完成，老人很满意。",
    "已协调处理完毕。",
    "已按约定时间完成服务。",
    "服务完成，留了联系方式便于回访。",
]
RATING_NOTES = ["很热心，谢谢！", "来得很及时。", "服务周到。", "", "还可以再快一点。"]


def _resident(rng: random.Random, community: Area, residents: dict[int, User]) -> User:
    user = residents.get(community.pk)
    if user is None:
        name = person_name(rng)
        user = user_create(
            actor=None, username=f"jm_{community.code or community.pk}", password=DEMO_PASSWORD, full_name=name,
            validate=False,
        )  # fmt: skip
        role_assign(actor=None, user=user, role=Role.RESIDENT, home_community=community)
        residents[community.pk] = user
    return user


def _volunteer(rng: random.Random, community: Area, volunteers: dict[int, Member | None]) -> Member | None:
    """An in-service member of the community with an account (one is given an account if none has)."""
    if community.pk in volunteers:
        return volunteers[community.pk]
    member = (
        Member.objects.filter(home_community=community, status=MemberStatus.IN_SERVICE, user__isnull=False)
        .order_by("pk")
        .first()
    )
    if member is None:
        member = (
            Member.objects.filter(home_community=community, status=MemberStatus.IN_SERVICE, user__isnull=True)
            .order_by("pk")
            .first()
        )
        if member is not None:
            user = user_create(
                actor=None, username=f"dy_{community.code or community.pk}", password=DEMO_PASSWORD,
                full_name=member.name, validate=False,
            )  # fmt: skip
            role_assign(actor=None, user=user, role=Role.PARTY_MEMBER, home_community=community)
            Member.objects.filter(pk=member.pk).update(user=user)
            member.user = user
    volunteers[community.pk] = member
    return member


def _assign(rng: random.Random, admin: User, demand: Demand, member: Member | None, unit: ResidentUnit | None):
    """Dispatch to the community's member (mostly) or its unit with a contact; returns (demand, doer)."""
    if unit is not None and (member is None or rng.random() < 0.2):
        contact = User.objects.filter(role_assignments__role=Role.UNIT_CONTACT, role_assignments__unit=unit).first()
        if contact is not None:
            d = services.demand_dispatch(actor=admin, demand=demand, kind=AssigneeKind.UNIT, unit=unit)
            return d, contact
    if member is None:
        return demand, None
    return services.demand_dispatch(actor=admin, demand=demand, kind=AssigneeKind.MEMBER, member=member), member.user


class Moments:
    """The moments of one demand's steps: from its start, each step some hours after the one before
    (never reaching `now`), so its log reads as it would have in life."""

    def __init__(self, rng: random.Random, start: datetime.datetime, now: datetime.datetime):
        self.rng, self.at, self.now, self.started = rng, start, now, False

    def next(self) -> datetime.datetime:
        if self.started:
            gap = datetime.timedelta(hours=self.rng.uniform(1, 36))
            self.at += min(gap, (self.now - self.at) / 3)
        self.started = True
        return self.at


def _start(rng: random.Random, target: str, now: datetime.datetime) -> datetime.datetime:
    """When the demand came in: the finished ones longer ago (up to MAX_AGE_DAYS), the open ones recently."""
    early = target in (DemandStatus.RATED, DemandStatus.CLOSED, DemandStatus.DECLINED, DemandStatus.WITHDRAWN)
    days = rng.uniform(10, MAX_AGE_DAYS) if early else rng.uniform(0.2, 12)
    return now - datetime.timedelta(days=days)


def _walk(rng, target, *, admin, requester, community, member, unit, categories, moments: Moments) -> Demand:
    """Take the demand to `target` through the services, each step at its moment (the demo clock)."""
    kind = rng.choice(list(TITLES))
    estates = list(Estate.objects.filter(community=community).order_by("pk")[:20])
    with clock(moments.next()):
        d = services.demand_submit(
            actor=requester,
            kind=kind,
            title=rng.choice(TITLES[kind]),
            description="",
            category=rng.choice(categories) if categories else None,
            estate=rng.choice(estates) if estates and rng.random() < 0.8 else None,
        )
    if target == DemandStatus.SUBMITTED:
        return d
    with clock(moments.next()):
        if target == DemandStatus.DECLINED:
            return services.demand_decline(actor=admin, demand=d, reason="不属于社区服务范围，已告知求助人咨询渠道。")
        if target == DemandStatus.WITHDRAWN:
            return services.demand_withdraw(actor=requester, demand=d, note="已自行解决。")
        d = services.demand_accept(actor=admin, demand=d)
    if target == DemandStatus.ACCEPTED:
        return d
    with clock(moments.next()):
        if target == DemandStatus.PUBLISHED:
            return services.demand_publish(actor=admin, demand=d)
        d, doer = _assign(rng, admin, d, member, unit)
    if target == DemandStatus.DISPATCHED or doer is None:
        return d
    with clock(moments.next()):
        d = services.demand_take(actor=doer, demand=d)
    if target == DemandStatus.TAKEN:
        return d
    hours = Decimal(rng.choice(["0.5", "1.0", "1.5", "2.0", "3.0"]))
    with clock(moments.next()):
        d = services.demand_done(actor=doer, demand=d, note=rng.choice(DONE_NOTES), hours=hours)
    if target == DemandStatus.DONE:
        return d
    with clock(moments.next()):
        if target == DemandStatus.CLOSED:
            return services.demand_close(actor=None, demand=d)
        stars = rng.choices([5, 4, 3, 2], weights=[60, 28, 9, 3])[0]
        return services.demand_rate(actor=requester, demand=d, rating=stars, note=rng.choice(RATING_NOTES))


def build(rng: random.Random, built: Built) -> None:
    district = Area.objects.filter(level=Level.DISTRICT, name=DISTRICT_NAME).order_by("path").first()
    admin = User.objects.filter(username="qu_admin").first()
    if district is None or admin is None:
        return
    communities = list(Area.objects.filter(path__startswith=district.path, level=Level.COMMUNITY).order_by("path"))
    home = next((c for c in communities if c.name == HOME_COMMUNITY), communities[0] if communities else None)
    if home is None:
        return
    categories = list(NeedCategory.objects.filter(district__isnull=True, is_active=True).order_by("order", "pk"))
    residents: dict[int, User] = {}
    jm = User.objects.filter(username="jm_resident").first()
    if jm is not None:
        residents[home.pk] = jm
    volunteers: dict[int, Member | None] = {}
    dy = Member.objects.filter(user__username="dy_member").first()
    if dy is not None:
        volunteers[home.pk] = dy
    units = {u.community_id: u for u in ResidentUnit.objects.filter(role_assignments__role=Role.UNIT_CONTACT)}
    targets = [status for status, n in PLAN for _i in range(n)]
    rng.shuffle(targets)
    others = [c for c in communities if c.pk != home.pk][:8] or [home]
    now = timezone.now()
    for target in targets:
        community = home if rng.random() < 0.5 else rng.choice(others)
        moments = Moments(rng, _start(rng, target, now), now)
        _walk(
            rng,
            target,
            admin=admin,
            requester=_resident(rng, community, residents),
            community=community,
            member=_volunteer(rng, community, volunteers),
            unit=units.get(community.pk),
            categories=categories,
            moments=moments,
        )
    # A few late steps have been reminded and escalated, as the periodic scan would have done.
    from dangjian.demands.reminders import scan_all

    scan_all(timezone.now())
