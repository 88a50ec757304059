"""Demo 民生微实事 (a DEMO_EXTENSIONS step, run after deliberation's councils and funds' allocations).

Thirty projects of this year across the demo communities, in every state and of every kind: residents'
proposals, a recurring demand, a council resolution, a unit's offer and a joint meeting's matter. Each
goes through the services at its moment in the past (demo.clock): the council's review meeting (the
meetings engine, a show of hands), the subdistrict's approval, the budget committed through the funds
API, progress notes, 双认领 by the unit and members, acceptance with a photo and the residents' votes,
payments and the release of what was left, so the funds ledger and the figures reconcile to the yuan.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.deliberation.models import Council
from dangjian.meetings import services as meetings
from dangjian.microprojects.models import Project, Status
from dangjian.microprojects.services import claims, progress, projects, review
from dangjian.microprojects.workflow import Step
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .clock import clock

if TYPE_CHECKING:
    from .builder import Built

WORKER, SUBDISTRICT, RESIDENT, UNIT = "sq_worker", "jd_admin", "jm_resident", "dw_contact"
HOME = "婆石社区"
# A 1×1 PNG: the demo's site photo (the pages show it as a small tile).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
# (title, kind, source, estimate in yuan, final state, days ago proposed)
PROJECTS: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("中珠新村广场加装休闲座椅", "goods", "resident", "38000", Status.CLOSED, 150),
    ("长者饭堂厨房设备更新", "goods", "resident", "86000", Status.CLOSED, 140),
    ("1栋外墙瓷砖脱落修复", "works", "recurring", "168000", Status.CLOSED, 135),
    ("社区四点半课堂托管服务", "services", "council", "120000", Status.CLOSED, 130),
    ("小区消防通道划线及标识", "works", "resident", "45000", Status.PUBLICIZING, 110),
    ("独居老人助餐助浴服务", "services", "resident", "96000", Status.PUBLICIZING, 105),
    ("楼道感应灯更换", "goods", "unit", "26000", Status.PUBLICIZING, 100),
    ("社区公园健身器材维修", "works", "resident", "72000", Status.ACCEPTING, 95),
    ("电动车集中充电点建设", "works", "council", "235000", Status.ACCEPTING, 90),
    ("青少年暑期安全教育服务", "services", "joint", "40000", Status.ACCEPTING, 85),
    ("老旧小区雨污管网疏通", "works", "recurring", "310000", Status.IMPLEMENTING, 80),
    ("社区图书角图书添置", "goods", "resident", "18000", Status.IMPLEMENTING, 76),
    ("居家养老上门护理服务", "services", "resident", "150000", Status.IMPLEMENTING, 72),
    ("小区门岗智能道闸更换", "goods", "unit", "65000", Status.IMPLEMENTING, 68),
    ("背街小巷路面修补", "works", "resident", "128000", Status.IMPLEMENTING, 64),
    ("社区心理健康讲座", "services", "council", "30000", Status.APPROVED, 55),
    ("垃圾分类亭加装雨棚", "works", "resident", "54000", Status.APPROVED, 50),
    ("儿童游乐设施安全防护垫", "goods", "resident", "22000", Status.APPROVED, 46),
    ("社区医养结合义诊服务", "services", "joint", "60000", Status.AUDITING, 40),
    ("楼顶防水层修补", "works", "recurring", "190000", Status.AUDITING, 36),
    ("老年活动室空调更换", "goods", "resident", "48000", Status.AUDITING, 32),
    ("社区调解志愿服务", "services", "resident", "25000", Status.REVIEWING, 25),
    ("小区绿化补种", "works", "resident", "36000", Status.REVIEWING, 22),
    ("便民理发服务进社区", "services", "unit", "12000", Status.REVIEWING, 18),
    ("小区路灯加装", "works", "resident", "88000", Status.COLLECTING, 12),
    ("老年大学书法班", "services", "resident", "", Status.COLLECTING, 9),
    ("社区宣传栏更新", "goods", "resident", "15000", Status.COLLECTING, 6),
    ("儿童阅读角绘本", "goods", "resident", "8000", Status.COLLECTING, 3),
    ("社区篮球场改建", "works", "resident", "450000", Status.REJECTED, 60),
    ("楼道堆物清理", "services", "resident", "5000", Status.WITHDRAWN, 20),
)
ORDER = [
    Status.COLLECTING,
    Status.REVIEWING,
    Status.AUDITING,
    Status.APPROVED,
    Status.IMPLEMENTING,
    Status.ACCEPTING,
    Status.PUBLICIZING,
    Status.CLOSED,
]
IMPLEMENTERS = ("珠海市宏达建筑工程有限公司", "香洲区康乐社会工作服务中心", "珠海市惠民物资供应有限公司")
VERDICTS = ("satisfied", "satisfied", "satisfied", "basic", "satisfied", "unsatisfied")


def _at(today: datetime.date, days_ago: float, hour: int = 10) -> datetime.datetime:
    """A moment `days_ago` before today, never before this year's second day (this year's funds)."""
    day = today - datetime.timedelta(days=max(int(days_ago), 0))
    day = max(day, datetime.date(today.year, 1, 2))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _voters(communities: list[Area]) -> dict[int, list[User]]:
    """Per community, residents and members with an account and that one role (they vote as it)."""
    single = _single_role_users()
    out: dict[int, list[User]] = {}
    rows = (
        RoleAssignment.objects.filter(
            role__in=[Role.RESIDENT, Role.PARTY_MEMBER],
            home_community__in=communities,
            is_active=True,
            user_id__in=single,
        )
        .select_related("user")
        .order_by("user_id")
    )
    for ra in rows:
        out.setdefault(ra.home_community_id, []).append(ra.user)
    return out


def _single_role_users() -> Any:
    return (
        RoleAssignment.objects.filter(is_active=True)
        .values("user_id")
        .order_by()
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values("user_id")
    )


def _claiming_members(communities: list[Area]) -> dict[int, User]:
    """Per community, one in-service member with an account whose one role is 党员 there."""
    from dangjian.people.models import Member, MemberStatus

    in_service = Member.objects.filter(status=MemberStatus.IN_SERVICE, user__isnull=False).values("user_id")
    out: dict[int, User] = {}
    for ra in (
        RoleAssignment.objects.filter(
            role=Role.PARTY_MEMBER,
            is_active=True,
            home_community__in=communities,
            user_id__in=_single_role_users(),
        )
        .filter(user_id__in=in_service)
        .select_related("user")
        .order_by("pk")
    ):
        out.setdefault(ra.home_community_id, ra.user)
    return out


def _review(project: Project, at: datetime.datetime, rng: random.Random) -> None:
    """The council meets on the project: most representatives sign in, all hands for."""
    with clock(at):
        meeting = review.review_meeting_call(actor=None, project=project, starts_at=at, place="社区党群服务中心")
        meeting = meetings.meeting_step(actor=None, meeting=meeting, step="open")
        due = list(meeting.attendees.filter(due=True).order_by("pk"))
        present = due[: max(len(due) - rng.randrange(0, 2), len(due) // 2 + 1)]
        for a in present:
            meetings.sign_in(actor=None, meeting=meeting, attendee=a)
        meetings.hands_record(actor=None, item=meeting.items.get(), votes_for=len(present), against=0, abstain=0)
        meetings.meeting_step(actor=None, meeting=meeting, step="close")


def _claims(project: Project, ctx: dict[str, Any]) -> None:
    """The unit's contact and an in-service member of the community claim parts (双认领)."""
    contact = ctx["contact"]
    if contact is not None and ctx["contact_community"] == project.community_id and project.pk % 2 == 0:
        claims.claim_make(actor=contact, project=project, kind="materials", part="提供施工期间临时场地和饮用水")
    member = ctx["members"].get(project.community_id)
    if member is not None:
        claims.claim_make(actor=member, project=project, kind="labour", hours="4", part="现场秩序维护和宣传")


def _advance(project: Project, to: str, start: int, ctx: dict[str, Any], rng: random.Random) -> Project:
    today, sub = ctx["today"], ctx["sub"]
    worker = ctx["workers"].get(project.community_id)
    step_days = max(start / 9, 1.0)
    day = float(start)
    if to in (Status.REJECTED, Status.WITHDRAWN):
        with clock(_at(today, start - 3)):
            if to == Status.WITHDRAWN:
                return projects.project_step(actor=None, project=project, step=Step.WITHDRAW, note="物业已自行清理。")
            return projects.project_step(
                actor=None, project=project, step=Step.REJECT, note="与区级体育设施专项重复，建议申报区级专项。"
            )
    while ORDER.index(project.status) < ORDER.index(to):
        day -= step_days
        at = _at(today, day)
        s = project.status
        if s == Status.REVIEWING:
            _review(project, at, rng)
        with clock(at):
            if s == Status.COLLECTING:
                project = projects.project_step(actor=worker, project=project, step=Step.TO_REVIEW)
            elif s == Status.REVIEWING:
                project = projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
            elif s == Status.AUDITING:
                approver = sub if sub is not None and project.area_path.startswith(ctx["sub_path"]) else None
                project = projects.project_step(actor=approver, project=project, step=Step.APPROVE)
            elif s == Status.APPROVED:
                unit = ctx["units"].get(project.community_id) if project.source == "unit" else None
                name = "" if unit else IMPLEMENTERS[["works", "services", "goods"].index(project.kind)]
                project = projects.project_step(
                    actor=worker,
                    project=project,
                    step=Step.ESTABLISH,
                    amount=project.estimated_amount,
                    implementer_unit=unit,
                    implementer_name=name,
                )
                _claims(project, ctx)
            elif s == Status.IMPLEMENTING:
                progress.note_add(
                    actor=worker, project=project, text="已进场实施，进度过半。", percent=60, photos=[PNG]
                )
                advance = (project.budget_committed * Decimal("0.3")).quantize(Decimal("0.01"))
                project = progress.payment_record(
                    actor=worker,
                    project=project,
                    amount=advance,
                    payee=project.implementer,
                    memo="预付款",
                    key=f"demo:{project.public_id}:advance",
                )
                project = projects.project_step(actor=worker, project=project, step=Step.FINISH)
            elif s == Status.ACCEPTING:
                progress.note_add(
                    actor=worker, project=project, text="居民代表和社区共同现场验收。", kind="acceptance", photos=[PNG]
                )
                for i, voter in enumerate(ctx["voters"].get(project.community_id, [])[: ctx["min_votes"] + 2]):
                    progress.vote_cast(actor=voter, project=project, verdict=VERDICTS[(i + project.pk) % len(VERDICTS)])
                project.refresh_from_db()
                if to == Status.ACCEPTING:
                    return project
                project = projects.project_step(
                    actor=worker,
                    project=project,
                    step=Step.ACCEPT,
                    acceptor_name=ctx["acceptor"],
                    note="按方案完成，质量合格，同意验收。",
                )
            elif s == Status.PUBLICIZING:
                if project.publicity_until and at.date() < project.publicity_until:
                    return project  # the publicity has not ended yet (a demo built early in the year)
                rest = project.budget_committed - project.amount_paid
                final = (rest * Decimal("0.9")).quantize(Decimal("1"))
                project = projects.project_step(actor=worker, project=project, step=Step.CLOSE, final_payment=final)
    return project


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    sub = User.objects.filter(username=SUBDISTRICT).first()
    if district is None or sub is None or Project.objects.exists():
        return
    from dangjian.microprojects.rules import district_rules

    communities = list(Area.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).order_by("path"))
    with_council = set(Council.objects.filter(community__in=communities).values_list("community_id", flat=True))
    communities = [c for c in communities if c.pk in with_council]
    if not communities:
        return
    home = next((c for c in communities if c.name == HOME), communities[0])
    min_votes = district_rules(home).min_votes
    voters = _voters(communities)
    rich = [c for c in communities if len(voters.get(c.pk, [])) >= min_votes] or [home]
    worker = User.objects.filter(username=WORKER).first()
    resident = User.objects.filter(username=RESIDENT).first()
    contact = User.objects.filter(username=UNIT).first()
    contact_ra = RoleAssignment.objects.filter(user=contact, role=Role.UNIT_CONTACT).select_related("unit").first()
    members = _claiming_members(communities)
    ctx: dict[str, Any] = {
        "today": timezone.localdate(),
        "sub": sub,
        "sub_path": next(
            (ra.area.path for ra in RoleAssignment.objects.filter(user=sub, role=Role.SUBDISTRICT_ADMIN) if ra.area),
            "-",
        ),
        "workers": {home.pk: worker},
        "units": {
            c.pk: u
            for c in communities
            if (u := ResidentUnit.objects.filter(community=c).order_by("pk").first()) is not None
        },
        "contact": contact if contact_ra and contact_ra.unit else None,
        "contact_community": contact_ra.unit.community_id if contact_ra and contact_ra.unit else None,
        "members": members,
        "voters": voters,
        "min_votes": min_votes,
        "acceptor": "居民代表 " + (worker.full_name if worker else "李红"),
    }
    for i, (title, kind, source, estimate, to, days_ago) in enumerate(PROJECTS):
        accepted = ORDER.index(to) >= ORDER.index(Status.ACCEPTING) if to in ORDER else False
        community = rich[i % len(rich)] if accepted else communities[i % len(communities)]
        by = resident if source == "resident" and community.pk == home.pk else None
        with clock(_at(ctx["today"], days_ago, hour=9)):
            project = projects.project_propose(
                actor=by,
                community=community,
                title=title,
                description=f"{community.name}：{title}。",
                kind=kind,
                source=source,
                source_ref="demands:recurring" if source == "recurring" else "",
                estimated_amount=Decimal(estimate) if estimate else None,
            )
        _advance(project, to, days_ago, ctx, local)
