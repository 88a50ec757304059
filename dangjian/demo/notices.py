"""Demo notices (a DEMO_EXTENSIONS step, run after the people and registration steps).

Through the notices' services, as their issuers:

- 香洲区 (qu_admin) to the community workers of every community (a worker account is made for each
  community that has none), partly signed and read; sq_worker's own receipt is left to sign by hand;
- 婆石社区 (sq_worker) to the in-service members registered there (双报到): a few of them are given
  accounts, two have signed;
- 拱北街道 (jd_admin) a public notice residents read on the phone home and on /nearby/;
- a draft in 婆石社区, to show the confirmation before publishing.

The fan-outs run here in the builder's process (the queue is not needed to read the demo).
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import role_assign, user_create
from dangjian.notices import services
from dangjian.notices.models import Audience, Notice, NoticeReceipt
from dangjian.people.models import Member
from dangjian.registration.models import Registration, RegistrationKind, RegistrationStatus
from dangjian.territory.models import Area, Level

from .accounts import DEMO_PASSWORD
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

HOME_COMMUNITY = "婆石社区"
SUBDISTRICT = "拱北街道"
MEMBER_ACCOUNTS = 6  # registered members of 婆石社区 given an account to sign with
SIGNED_SHARE = 0.6  # of the district notice's recipients (but sq_worker)
KEEP_UNSIGNED = "sq_worker"

DISTRICT_NOTICE = (
    "关于做好2026年度社区“两委”工作台账报送的通知",
    "各社区：\n请于本月25日前将本年度社区“两委”工作台账（含党组织生活、民主议事、为民服务事项）报送至区委组织部。\n"
    "逾期未报的社区将在季度考核中扣分。\n联系人：区委组织部组织科，电话 0756-2222222。",
)
COMMUNITY_NOTICE = (
    "关于开展“党员进小区·垃圾分类入户宣传”活动的通知",
    "各位在职党员：\n本周六上午9:00在社区党群服务中心集合，分组入户宣传垃圾分类，请佩戴党员徽章、穿志愿者马甲。\n"
    "不能参加的请提前向社区说明。",
)
PUBLIC_NOTICE = (
    "拱北街道关于周五计划停水的公告",
    "因市政供水管网维修，本周五 9:00–17:00 婆石、茂盛、桂花社区部分小区停水，请居民提前储水。\n"
    "如有疑问请拨打街道便民服务热线 0756-8888888。",
)
DRAFT_NOTICE = (
    "关于征集社区微心愿的通知（草稿）",
    "请各楼栋长收集本楼栋困难群众的微心愿，于下周一前报社区。",
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _community_workers(rng: random.Random) -> None:
    """A community worker account for every community that has none, so the district notice reaches each."""
    staffed = set(
        RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True).values_list("area_id", flat=True)
    )
    for community in Area.objects.filter(level=Level.COMMUNITY).order_by("path"):
        if community.pk in staffed:
            continue
        user = user_create(
            actor=None, username=f"sq_{community.code or community.pk}", password=DEMO_PASSWORD,
            full_name=person_name(rng), validate=False,
        )  # fmt: skip
        role_assign(actor=None, user=user, role=Role.COMMUNITY_WORKER, area=community)


def _member_accounts(community: Area) -> None:
    """Accounts for a few in-service members registered at the community who have none."""
    registered = (
        Registration.objects.filter(
            community=community, kind=RegistrationKind.MEMBER, status=RegistrationStatus.CONFIRMED,
            member__user__isnull=True,
        ).select_related("member").order_by("pk")[:MEMBER_ACCOUNTS]
    )  # fmt: skip
    for k, registration in enumerate(registered):
        member = registration.member
        user = user_create(
            actor=None, username=f"dy_{community.code or community.pk}_{k + 1}", password=DEMO_PASSWORD,
            full_name=member.name, validate=False,
        )  # fmt: skip
        role_assign(actor=None, user=user, role=Role.PARTY_MEMBER, org=member.org, home_community=community)
        Member.objects.filter(pk=member.pk).update(user=user)


def _issue(issuer: User, area: Area, text: tuple[str, str], audience: str, *, publish: bool = True,
           is_public: bool = False, deadline_days: int | None = None) -> Notice:  # fmt: skip
    deadline = timezone.now() + datetime.timedelta(days=deadline_days) if deadline_days else None
    notice = services.notice_create(
        actor=issuer, title=text[0], body=text[1], audience=audience, audience_area=area,
        is_public=is_public, receipt_deadline=deadline,
    )  # fmt: skip
    if publish:
        notice = services.notice_publish(actor=issuer, notice=notice)
        services.fanout_run(notice.pk)
        notice.refresh_from_db()
    return notice


def _sign_some(rng: random.Random, notice: Notice, share: float, *, keep: str = "") -> None:
    receipts = NoticeReceipt.objects.filter(notice=notice).select_related("user").order_by("user_id")
    for receipt in receipts:
        if receipt.user.username == keep:
            continue
        roll = rng.random()
        if roll < share:
            services.receipt_sign(actor=receipt.user, notice=notice)
        elif roll < share + 0.15:
            services.receipt_read(actor=receipt.user, notice=notice)


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    home = built.areas[HOME_COMMUNITY]
    if district is None:
        return
    _community_workers(local)
    _member_accounts(home)
    district_notice = _issue(_user("qu_admin"), district, DISTRICT_NOTICE, Audience.COMMUNITY_WORKERS, deadline_days=10)
    _sign_some(local, district_notice, SIGNED_SHARE, keep=KEEP_UNSIGNED)
    community_notice = _issue(_user(KEEP_UNSIGNED), home, COMMUNITY_NOTICE, Audience.REGISTERED_MEMBERS)
    for receipt in NoticeReceipt.objects.filter(notice=community_notice).select_related("user").order_by("user_id")[:2]:
        services.receipt_sign(actor=receipt.user, notice=community_notice)
    _issue(_user("jd_admin"), built.areas[SUBDISTRICT], PUBLIC_NOTICE, Audience.NONE, is_public=True)
    _issue(_user(KEEP_UNSIGNED), home, DRAFT_NOTICE, Audience.REGISTERED_MEMBERS, publish=False)
