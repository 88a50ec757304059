"""Demo 组织生活 (a DEMO_EXTENSIONS step, run after the accounts and people steps).

Every demo branch has its committee (a secretary and an organization officer), a founding date two
years back and a year of meetings held by the district's rules: one each period of each kind, its
attendance from the branch's members, the lectures and 主题党日 following each quarter's guidance
(four issues published). Some branches are behind: 婆石社区's second branch held no 支委会 in the last
two months, and a few periods elsewhere were missed. The past year is written in bulk (the records,
their obligations and facts together); this period is left open, and the demo member `dy_member` is
the secretary of 婆石社区's first branches, with a 支委会 held this month through the services (QR
sign-in, points) and one planned for tomorrow.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.figures import facts
from dangjian.meetings.services import sign_in
from dangjian.orglife import calendar
from dangjian.orglife.models import (
    BranchStart,
    Guidance,
    GuidanceUptake,
    Kind,
    MeetingRecord,
    RecordLog,
    RecordStatus,
)
from dangjian.orglife.rules import rules_by_district
from dangjian.orglife.services import compliance, records
from dangjian.orglife.services.guidance import guidance_publish, guidance_save
from dangjian.orglife.workflow import CREATE, Step
from dangjian.orgs.models import BRANCHES, OfficerPost, OrgOfficer, PartyOrg
from dangjian.people.models import Member
from dangjian.territory.models import Area, Level

from .clock import clock
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

SECRETARY = "dy_member"
HOME = "婆石社区"
LED = 2  # how many of 婆石社区's branches the demo secretary runs
MISS = 0.04  # the share of other periods a branch missed
PLACES = ("社区党群服务中心", "小区党建活动室", "支部会议室", "新时代文明实践站")
TOPICS = {  # the topic alone: pages show it after the kind (支委会：研究本月支部工作)
    Kind.MEMBERS_MEETING: "通报季度工作，讨论发展党员",
    Kind.COMMITTEE: "研究本月支部工作",
    Kind.GROUP: "学习交流",
    Kind.LECTURE: "学习党章党规",
    Kind.THEME_DAY: "志愿服务进小区",
    Kind.LIFE_MEETING: "对照检查，开展批评与自我批评",
    Kind.APPRAISAL: "年度民主评议，党员自评互评",
    Kind.TALK: "支部书记与党员谈心谈话",
}
GUIDANCE_TOPICS = "学习贯彻党的二十大精神；学习《中国共产党支部工作条例（试行）》"


def _guidance(district: Area, today: datetime.date) -> dict[tuple[int, int], Guidance]:
    out = {}
    span = calendar.quarter_of(today)
    for _ in range(4):
        year, quarter = span.start.year, (span.start.month - 1) // 3 + 1
        with clock(timezone.make_aware(datetime.datetime.combine(span.start, datetime.time(9)))):
            g = guidance_save(
                actor=None,
                district=district,
                year=year,
                quarter=quarter,
                title=f"{year}年第{quarter}季度“三会一课”重点动作指引",
                topics=GUIDANCE_TOPICS,
                readings="《习近平谈治国理政》相关篇目；《中国共产党章程》",
                activities="参观红色教育基地；到报到社区开展志愿服务；重温入党誓词",
            )
            out[(year, quarter)] = guidance_publish(actor=None, guidance=g)
        span = calendar.quarter_of(span.start - datetime.timedelta(days=1))
    return out


def _officers(rng: random.Random, branches: list[PartyOrg], secretary: User | None) -> None:
    rows = []
    home = [b for b in branches if b.area.name == HOME][:LED]
    for org in branches:
        led = secretary is not None and org in home
        rows.append(
            OrgOfficer(
                org=org,
                user=secretary if led else None,
                name=(secretary.full_name if led and secretary else org.secretary) or person_name(rng),
                post=OfficerPost.SECRETARY,
                started_on=datetime.date(2024, 1, 1),
            )
        )
        rows.append(
            OrgOfficer(
                org=org, name=person_name(rng), post=OfficerPost.ORGANIZATION, started_on=datetime.date(2024, 1, 1)
            )
        )
    OrgOfficer.objects.bulk_create(rows)


def _head_counts(branches: list[PartyOrg]) -> dict[int, int]:
    paths = dict(PartyOrg.objects.filter(pk__in=Member.objects.values("org_id")).values_list("pk", "path"))
    per_org = Counter(Member.objects.exclude(org_id=None).values_list("org_id", flat=True))
    out = {}
    for b in branches:
        out[b.pk] = sum(n for org_id, n in per_org.items() if paths.get(org_id, "").startswith(b.path)) or 3
    return out


def build(rng: random.Random, built: Built | Any) -> None:
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is None:
        return
    today = timezone.localdate()
    branches = list(
        PartyOrg.objects.filter(org_type__in=sorted(BRANCHES), area__path__startswith=district.path)
        .select_related("area")
        .order_by("path")
    )
    if not branches:
        return
    secretary = User.objects.filter(username=SECRETARY).first()
    _officers(rng, branches, secretary)
    founded = today.replace(day=1) - datetime.timedelta(days=730)
    BranchStart.objects.bulk_create([BranchStart(org=b, founded_on=founded) for b in branches])
    guidance = _guidance(district, today)
    rules = rules_by_district({district.pk})[district.pk]
    grouped = compliance.has_groups([b.pk for b in branches])
    heads = _head_counts(branches)
    start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    behind = [b for b in branches if b.area.name == HOME][1:2]
    tz = timezone.get_current_timezone()
    made: list[MeetingRecord] = []
    for org in branches:
        for kind, rule in rules.items():
            if not compliance.owes_kind(rule, org.pk, grouped):
                continue
            for span in calendar.periods_between(rule.frequency, start, today):
                if span.end >= today:
                    continue  # this period stays open
                if org in behind and kind == Kind.COMMITTEE and span.start >= _months_back(today, 2):
                    continue  # no 支委会 for the last two months
                if org not in behind and rng.random() < MISS:
                    continue
                day = span.start + datetime.timedelta(days=rng.randrange((span.end - span.start).days + 1))
                if rule.fixed_day:
                    day = calendar.due_on(span, rule.fixed_day) or day
                due = 2 if rule.attendees == "committee" else heads[org.pk]
                q = (day.year, (day.month - 1) // 3 + 1)
                made.append(
                    MeetingRecord(
                        org=org,
                        area_path=org.area.path,
                        kind=kind,
                        topic=TOPICS[Kind(kind)],
                        starts_at=datetime.datetime.combine(day, datetime.time(rng.choice((9, 15, 19)), 30), tzinfo=tz),
                        place=rng.choice(PLACES),
                        status=RecordStatus.HELD,
                        guidance=guidance.get(q) if kind in (Kind.LECTURE, Kind.THEME_DAY) else None,
                        due_count=due,
                        present_count=max(1, round(due * rng.uniform(0.7, 1.0))),
                        held_at=datetime.datetime.combine(day, datetime.time(21), tzinfo=tz),
                    )
                )
    MeetingRecord.objects.bulk_create(made, batch_size=1000)
    _history(made)
    _uptakes(guidance)
    rows = compliance.branch_rows(PartyOrg.objects.filter(pk__in=[b.pk for b in branches]))
    compliance.ensure(
        rows, {None: rules, district.pk: rules}, lambda r: calendar.periods_between(r.frequency, start, today)
    )
    facts.rebuild(["orglife_records"])  # the yearly kinds of last year fall before `start`
    _showcase(rng, branches, secretary, today)


def _history(made: list[MeetingRecord]) -> None:
    """The past year's records as the workflow would have left them: planned a week before, then held."""
    week = datetime.timedelta(days=7)
    RecordLog.objects.bulk_create(
        [
            log
            for r in made
            for log in (
                RecordLog(
                    record=r, at=r.starts_at - week, actor_label="系统", step=CREATE, to_status=RecordStatus.PLANNED
                ),
                RecordLog(
                    record=r,
                    at=r.held_at or r.starts_at,
                    actor_label="系统",
                    step=Step.HOLD,
                    from_status=RecordStatus.PLANNED,
                    to_status=RecordStatus.HELD,
                ),
            )
        ],
        batch_size=2000,
    )


def _months_back(today: datetime.date, months: int) -> datetime.date:
    first = today.replace(day=1)
    for _ in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def _uptakes(guidance: dict[tuple[int, int], Guidance]) -> None:
    firsts: dict[tuple[int, int], int] = {}
    for pk, g_id, org_id in (
        MeetingRecord.objects.filter(guidance__isnull=False)
        .order_by("starts_at", "pk")
        .values_list("pk", "guidance_id", "org_id")
    ):
        firsts.setdefault((g_id, org_id), pk)
    GuidanceUptake.objects.bulk_create(
        [GuidanceUptake(guidance_id=g, org_id=o, first_record_id=r) for (g, o), r in firsts.items()]
    )
    counts = Counter(g for g, _o in firsts)
    for g in guidance.values():
        Guidance.objects.filter(pk=g.pk).update(uptake_count=counts.get(g.pk, 0))


def _showcase(rng: random.Random, branches: list[PartyOrg], secretary: User | None, today: datetime.date) -> None:
    """The demo secretary's branch: a 支委会 held this month on the engine, one planned for tomorrow."""
    home = [b for b in branches if b.area.name == HOME]
    if secretary is None or not home:
        return
    org = home[0]
    when = timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0)))
    if when > timezone.now():
        when = timezone.now() - datetime.timedelta(minutes=30)
    with clock(when - datetime.timedelta(days=1)):
        record = records.record_plan(
            actor=secretary,
            org=org,
            kind=Kind.COMMITTEE,
            topic="研究本月主题党日安排",
            starts_at=when,
            place="社区党群服务中心",
        )
    with clock(when):
        assert record.meeting is not None
        for attendee in record.meeting.attendees.filter(due=True):
            sign_in(actor=secretary, meeting=record.meeting, attendee=attendee, now=when)
    with clock(when + datetime.timedelta(hours=1)):
        records.record_hold(actor=secretary, record=record)
    tomorrow = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(19, 30)))
    records.record_plan(
        actor=secretary,
        org=org,
        kind=Kind.MEMBERS_MEETING,
        topic="通报季度工作",
        starts_at=tomorrow,
        place=rng.choice(PLACES),
    )
    compliance.overdue_tell(today=today)
