"""Demo 共驻共建 (a DEMO_EXTENSIONS step, run after the people, units and cases steps).

Every subdistrict and community has a joint board of its resident units and held its monthly joint
meeting over the past year (茂盛社区 missed two months); the latest meetings raised matters that became
tasks for member units (some done), cases, demands, or were closed with a reason. Each community signed
covenants with its units whose visits are about half made. The liaisons checked in at their grids over
the last weeks and filed what they collected as cases (挂点收集). Every estate records its governance, the
four 四管 modes and property companies in turn, and some held three-party coordination meetings.
Everything runs through the services, each step at its moment in the past (demo.clock).
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.cases.models import CaseCategory
from dangjian.cobuilding.models import Direction, ManagementMode
from dangjian.cobuilding.services import covenants, estates, liaisons, meetings
from dangjian.cobuilding.services import matters as matter_services
from dangjian.cobuilding.services.tasks import task_step
from dangjian.meetings import services as engine
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Liaison
from dangjian.territory.models import Area, Estate, Level
from dangjian.units.models import ResidentUnit

from .clock import clock
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

SHORT = "茂盛社区"  # the community that missed two months
MISSED = {3, 7}  # months ago
MATTERS = (
    ("口岸周边早晚高峰停车难", "task"),
    ("老旧小区雨污分流改造进度", "case"),
    ("社区长者饭堂增加送餐服务", "demand"),
    ("共建单位开放职工食堂", "closed"),
    ("社区微广场增设适老健身器材", "project"),
)
COMPANIES = ("珠海华发物业服务有限公司", "珠海市香洲城市服务有限公司")
MODES = (
    ManagementMode.COMPANY,
    ManagementMode.UNIT,
    ManagementMode.RESIDENTS,
    ManagementMode.INTRODUCED,
    ManagementMode.COMMUNITY,
)


def _at(today: datetime.date, days_ago: int, hour: int = 9) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _units_under(area: Area) -> list[ResidentUnit]:
    return list(ResidentUnit.objects.filter(community__path__startswith=area.path).order_by("pk")[:3])


def _hold(co: Any, present: int) -> None:
    m = engine.meeting_step(actor=None, meeting=co.meeting, step="open")
    for a in m.attendees.filter(due=True).order_by("pk")[:present]:
        engine.sign_in(actor=None, meeting=m, attendee=a)
    engine.meeting_step(actor=None, meeting=m, step="close")


def _boards(rng: random.Random, today: datetime.date, nodes: list[Area]) -> list[Any]:
    latest = []
    for area in nodes:
        units = _units_under(area)
        if not units:
            continue
        with clock(_at(today, 400)):
            board = meetings.board_save(actor=None, area=area, name=f"{area.name}联席会议", convener=person_name(rng))
            for unit in units:
                meetings.board_member_add(actor=None, board=board, unit=unit, representative=person_name(rng))
        co = None
        for months_ago in range(12, 0, -1):
            if area.name == SHORT and months_ago in MISSED:
                continue
            when = _at(today, months_ago * 30 - 15, 15)
            with clock(when):
                co = meetings.joint_meeting_call(actor=None, board=board, starts_at=when, place="党群服务中心")
                _hold(co, present=len(units) - (months_ago % 2))
        if co is not None and area.level == Level.COMMUNITY:
            latest.append(co)
    return latest


def _community_worker(area: Area) -> Any:
    assignment = (
        RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, area=area, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return assignment.user if assignment else None


def _matters(rng: random.Random, today: datetime.date, latest: list[Any]) -> None:
    category = CaseCategory.objects.filter(is_active=True).order_by("pk").first()
    for i, co in enumerate(latest[:4]):
        units = [s.unit for s in co.seats.select_related("unit") if s.unit is not None]
        with clock(co.starts_at):
            for title, outcome in MATTERS:
                matter = matter_services.matter_raise(actor=None, comeeting=co, title=title)
                if outcome == "task" and units:
                    _m, task = matter_services.matter_to_task(
                        actor=None,
                        matter=matter,
                        unit=units[i % len(units)],
                        due_on=today + datetime.timedelta(days=20),
                    )
                    if i % 2 == 0:
                        task = task_step(actor=None, task=task, step="accept")
                        task = task_step(actor=None, task=task, step="report", note="已协调错峰停车位 40 个")
                        task_step(actor=None, task=task, step="confirm")
                elif outcome == "case" and category is not None:
                    matter_services.matter_to_case(actor=None, matter=matter, category=category)
                elif outcome == "demand":
                    # A demand is entered by a person (代录): the community's worker records it.
                    worker = _community_worker(matter.area)
                    if worker is not None:
                        matter_services.matter_to_demand(actor=worker, matter=matter)
                elif outcome == "project":
                    matter_services.matter_to_project(actor=None, matter=matter, kind="goods")
                elif outcome == "closed":
                    matter_services.matter_close(actor=None, matter=matter, reason="会上已由共建单位当场答复")


def _covenants(rng: random.Random, today: datetime.date, communities: list[Area]) -> None:
    start = datetime.date(today.year - 1, 1, 1)
    for community in communities:
        for k, unit in enumerate(_units_under(community)[:2]):
            with clock(_at(today, 400)):
                covenant = covenants.covenant_save(
                    actor=None,
                    area=community,
                    unit=unit,
                    starts_on=start,
                    ends_on=datetime.date(today.year + 1, 12, 31),
                    meetings=12,
                    unit_visits=2,
                    area_visits=2,
                    projects=1,
                    hours=20,
                    note="按照契约化共建协议，开放场地、组织党员志愿服务、认领民生项目。",
                )
                covenants.resource_add(actor=None, covenant=covenant, kind="room", description="开放会议室", amount=1)
                covenants.resource_add(
                    actor=None, covenant=covenant, kind="money", description="共建资金", amount=20000
                )
            # Half the visits: one each way this year (the other of each not yet made).
            for direction, days in ((Direction.UNIT_TO_AREA, 90 + k), (Direction.AREA_TO_UNIT, 40 + k)):
                day = today - datetime.timedelta(days=min(days, (today - datetime.date(today.year, 1, 1)).days))
                with clock(_at(today, (today - day).days)):
                    covenants.visit_log(
                        actor=None,
                        direction=direction,
                        unit=unit,
                        area=community,
                        covenant=covenant,
                        visited_on=day,
                        visitor=person_name(rng),
                        discussed="交流共建项目推进情况",
                    )


def _liaisons(rng: random.Random, today: datetime.date) -> None:
    category = CaseCategory.objects.filter(is_active=True).order_by("pk").first()
    problems = ("楼道堆放杂物", "路灯损坏", "井盖松动", "绿化带垃圾")
    for n, liaison in enumerate(Liaison.objects.filter(is_active=True).select_related("area", "estate").order_by("pk")):
        weeks = 8 - n % 3 * 2  # some liaisons behind the weekly rule
        for w in range(weeks, 0, -1):
            when = _at(today, w * 7, 10)
            with clock(when):
                visit = liaisons.liaison_checkin(actor=None, liaison=liaison, lat=None, lng=None, notes="走访网格")
                if category is not None and w % 3 == 0:
                    liaisons.liaison_problem_file(
                        actor=None, visit=visit, category=category, description=rng.choice(problems)
                    )


def _estates(rng: random.Random, today: datetime.date, district: Area) -> None:
    with clock(_at(today, 300)):
        companies = [estates.company_save(actor=None, district=district, name=name) for name in COMPANIES]
    for k, estate in enumerate(Estate.objects.filter(community__path__startswith=district.path).order_by("pk")):
        mode = MODES[k % len(MODES)]
        branch = PartyOrg.objects.filter(estate=estate, org_type="estate_branch").first()
        with clock(_at(today, 200)):
            governance = estates.governance_save(
                actor=None,
                estate=estate,
                mode=mode,
                company=companies[k % 2] if mode == ManagementMode.COMPANY else None,
                branch=branch,
                owners_committee=f"{estate.name}业主委员会" if k % 3 else "",
                committee_has_org=k % 3 == 1,
                committee_size=7 if k % 3 else 0,
                committee_party_members=3 if k % 3 == 1 else 0,
                haves={"has_cleaning", "has_repair"}
                if k % 4
                else {"has_cleaning", "has_greening", "has_repair", "has_parking", "has_security"},  # fmt: skip
            )
        if k < 3:
            when = _at(today, 20 + k, 19)
            with clock(when):
                co = meetings.estate_meeting_call(actor=None, governance=governance, starts_at=when)
                _hold(co, present=3)
                matter = matter_services.matter_raise(actor=None, comeeting=co, title="物业费调整与公共收益公开")
                matter_services.matter_close(actor=None, matter=matter, reason="三方协商一致：公示收支后再议")


def build(rng: random.Random, built: Built) -> None:
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is None:
        return
    today = timezone.localdate()
    subs = list(Area.objects.filter(parent=district, level=Level.SUBDISTRICT).order_by("path"))
    communities = list(Area.objects.filter(parent__in=subs, level=Level.COMMUNITY).order_by("path"))
    latest = _boards(rng, today, subs + communities)
    _matters(rng, today, latest)
    _covenants(rng, today, communities)
    _liaisons(rng, today)
    _estates(rng, today, district)
