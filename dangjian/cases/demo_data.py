"""Demo governance cases (a DEMO_EXTENSIONS step, run after the district, departments and accounts).

The six street-chief departments (公安、交警、消防、市场监管、城管、环卫) are made if the demo lacks
them, each with a staff account (password as the demo's); every subdistrict gets a duty list of a
dozen items over the three areas; then about 150 cases over the last 60 days, in every grid and
through the phone, patrol, hotline and walk-in channels, are taken through the real services
(case_submit, accept, dispatch, return, take, close, callback, archive, reject, merge, publish and
claim) by the demo's people, and only afterwards moved into the past: their times, their log rows'
times and their numbers (one sequence per day, as the counter would have given them). Some run
late, some were returned, most of the older ones are rated. Everything follows from the seeded
random.Random, so equal seeds give equal cases (up to "now").
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Value
from django.db.models.functions import Replace
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role, active_scope
from dangjian.accounts.services import role_assign, user_create
from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import prefix_q
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.demo.names import person_name
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department, DepartmentKind

from . import deadlines, duty_services, intake_services, services, whistle_services
from .models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseCounter,
    CaseDepartment,
    CaseLog,
    CasePolicy,
    CaseStatus,
    Channel,
    DutyArea,
    DutyItem,
    LimitUnit,
    Rating,
)
from .workdays import deadline_after

if TYPE_CHECKING:
    from dangjian.demo.builder import Built

DAYS = 60
CASES = 150
DISTRICT_NAME = "香洲区"
HOME_COMMUNITY = "婆石社区"  # where the demo's community worker, grid worker, member and resident live
HOME_GRID = "婆石社区第一网格"
STREET_CHIEF_KINDS = (
    (DepartmentKind.POLICE, "香洲区公安分局", "bm_police"),
    (DepartmentKind.TRAFFIC_POLICE, "香洲区交警大队", "bm_traffic"),
    (DepartmentKind.FIRE, "香洲区消防救援大队", "bm_fire"),
    (DepartmentKind.MARKET_REGULATION, "香洲区市场监督管理局", "bm_market"),
    (DepartmentKind.CITY_MANAGEMENT, "香洲区城市管理和综合执法局", "bm_staff"),
    (DepartmentKind.SANITATION, "香洲区环卫中心", "bm_sanitation"),
)

# (name, area, lead kind, supporting kinds, category codes, limit, unit)
DUTY_ITEMS = (
    (
        "占道经营、流动摊贩整治",
        DutyArea.ENFORCEMENT,
        "city_management",
        ("market_regulation",),
        ("street_vending",),
        3,
        LimitUnit.WORKDAYS,
    ),  # noqa: E501
    (
        "违法建设查处",
        DutyArea.ENFORCEMENT,
        "city_management",
        ("police",),
        ("illegal_construction",),
        10,
        LimitUnit.WORKDAYS,
    ),  # noqa: E501
    (
        "无证无照经营和食品安全查处",
        DutyArea.ENFORCEMENT,
        "market_regulation",
        ("city_management",),
        ("food_safety",),
        5,
        LimitUnit.WORKDAYS,
    ),  # noqa: E501
    ("噪声扰民处置", DutyArea.ENFORCEMENT, "city_management", ("police",), ("noise",), 2, LimitUnit.WORKDAYS),
    (
        "消防通道堵塞、电动车违规充电处置",
        DutyArea.EMERGENCY,
        "fire",
        ("police", "city_management"),
        ("fire_lane",),
        24,
        LimitUnit.HOURS,
    ),  # noqa: E501
    (
        "道路塌陷、井盖缺失应急处置",
        DutyArea.EMERGENCY,
        "city_management",
        ("traffic_police",),
        ("road_damage", "manhole"),
        48,
        LimitUnit.HOURS,
    ),  # noqa: E501
    (
        "树木倒伏等极端天气险情处置",
        DutyArea.EMERGENCY,
        "city_management",
        ("fire",),
        ("greening",),
        24,
        LimitUnit.HOURS,
    ),  # noqa: E501
    ("治安隐患排查处置", DutyArea.EMERGENCY, "police", (), ("public_security",), 12, LimitUnit.HOURS),
    (
        "机动车乱停乱放整治",
        DutyArea.ORDER,
        "traffic_police",
        ("city_management",),
        ("illegal_parking",),
        24,
        LimitUnit.HOURS,
    ),  # noqa: E501
    ("生活垃圾清运", DutyArea.ORDER, "sanitation", ("city_management",), ("garbage",), 24, LimitUnit.HOURS),
    ("环境卫生保洁", DutyArea.ORDER, "sanitation", (), ("sanitation",), 2, LimitUnit.WORKDAYS),
    ("路灯等市政设施维护", DutyArea.ORDER, "city_management", (), ("street_light",), 3, LimitUnit.WORKDAYS),
)

DESCRIPTIONS = {
    "garbage": ("小区门口的垃圾桶满了两天没人清运，有异味", "路边堆了一堆装修垃圾，占了半条人行道"),
    "sanitation": ("楼道里污水横流，踩着很滑", "下雨后巷子里积水发臭，请安排清理"),
    "road_damage": ("人行道地砖松动塌陷，老人容易绊倒", "路口路面有个大坑，电动车经过很危险"),
    "street_light": ("小区后面那段路的路灯连续几晚不亮", "路灯一闪一闪的，晚上走路看不清"),
    "manhole": ("路边井盖缺了一块，小孩路过很危险", "井盖松动，车一压就响"),
    "greening": ("台风后有棵大树倒在围墙上", "绿化带的树枝伸到二楼窗户，挡光又招虫"),
    "street_vending": ("晚上有流动摊贩在小区门口摆摊，堵住出入口", "早市摊位占了消防车道"),
    "illegal_construction": ("顶楼有住户在加建阳光房", "一楼商铺私自往外搭棚子"),
    "illegal_parking": ("消防通道被私家车长期占用", "小区门口双排停车，救护车进不来"),
    "noise": ("楼上装修周末一大早就开始电钻", "广场舞音响晚上十点后还很大声"),
    "fire_lane": ("有人把电动车推进楼道飞线充电", "楼道堆满杂物，灭火器也过期了"),
    "public_security": ("地下车库最近几次电瓶被偷", "小区侧门门禁坏了，陌生人随便进出"),
    "food_safety": ("街角新开的小吃店没看到营业执照", "早餐店后厨卫生很差"),
    "property_dispute": ("电梯三天两头坏，物业一直拖着不修", "物业收了停车费却不管乱停车"),
    "neighbor_dispute": ("楼上卫生间漏水渗到我家天花板，协商不成", "邻居在公共走廊养狗，气味很大"),
    "other": ("希望社区组织一次老年人防诈骗讲座", "公交站的座椅坏了，请协调修理"),
}
CATEGORY_WEIGHTS = {
    "garbage": 14, "sanitation": 8, "road_damage": 8, "street_light": 8, "manhole": 4, "greening": 5,
    "street_vending": 10, "illegal_construction": 4, "illegal_parking": 12, "noise": 9, "fire_lane": 7,
    "public_security": 4, "food_safety": 4, "property_dispute": 6, "neighbor_dispute": 4, "other": 3,
}  # fmt: skip
RESULTS = (
    "已到现场处置完毕，现场已恢复，反映人已知晓",
    "已联系责任单位整改到位，拍照留存",
    "已清理完毕，并纳入日常巡查",
    "已约谈当事人并责令限期整改，复查合格",
)
RETURN_REASONS = ("不属于本部门职责，请重新派单", "现场地址不准确，请核实后再派")
UNSATISFIED_NOTES = ("问题反复出现，希望彻底解决", "处理后没两天又恢复原样")
H = datetime.timedelta(hours=1)


@dataclass
class People:
    district_admin: User
    subdistrict_admin: User  # 拱北街道
    community_worker: User  # 婆石社区
    grid_worker: User  # 婆石社区第一网格
    member: User  # 婆石社区
    resident: User  # 婆石社区
    subdistrict_path: str = ""  # 拱北街道's
    staff: dict[int, User] = field(default_factory=dict)  # by department pk


def build(rng: random.Random, built: Built, *, cases: int = CASES) -> None:
    local = random.Random(rng.getrandbits(64))
    district = built.areas[DISTRICT_NAME]
    departments = _departments(local, district, built)
    people = _people(departments)
    _duty_lists(district, departments, people.district_admin)
    _cases(local, district, people, cases)
    _whistles(people, departments)


# -- departments and duty lists -------------------------------------------------------------------
def _departments(rng: random.Random, district: Area, built: Built) -> dict[str, Department]:
    """The six street-chief departments of the district, by kind (made when missing), with staff."""
    out: dict[str, Department] = {}
    for kind, name, username in STREET_CHIEF_KINDS:
        department = Department.objects.filter(area=district, kind=kind).order_by("pk").first()
        if department is None:
            department = Department.objects.create(name=name, kind=kind, area=district)
            audit_record(
                actor=None,
                action=Action.CREATE,
                obj=department,
                changes={"name": [None, name], "kind": [None, str(kind)], "area": [None, district.name]},
                area_path=district.path,
            )
            built.departments[name] = department
        out[kind] = department
        if not User.objects.filter(role_assignments__department=department, role_assignments__is_active=True).exists():
            user = User.objects.filter(username=username).first() or user_create(
                actor=None, username=username, password=DEMO_PASSWORD, full_name=person_name(rng), validate=False
            )
            role_assign(actor=None, user=user, role=Role.DEPARTMENT_STAFF, department=department)
    return out


def _whistles(people: People, departments: dict[str, Department]) -> None:
    """Two open whistles in 婆石社区 for the street chief's board: one department has acknowledged."""
    community = active_scope(people.community_worker).area_path or ""
    open_cases = Case.objects.filter(
        prefix_q("area_path", community), status__in=[CaseStatus.DISPATCHED, CaseStatus.HANDLING]
    ).order_by("received_at")[:2]
    summoned = [departments[DepartmentKind.CITY_MANAGEMENT], departments[DepartmentKind.MARKET_REGULATION]]
    for n, case in enumerate(open_cases):
        whistle = whistle_services.whistle_blow(
            actor=people.community_worker,
            case=case,
            departments=summoned,
            report_by=timezone.now() + datetime.timedelta(hours=4 + 20 * n),
            reason="社区多次协调未果，需城管、市场监管到场联合处置。",
        )
        first = whistle.summonses.order_by("pk").first()
        staff = people.staff.get(first.department_id) if first else None
        if first is not None and staff is not None:
            whistle_services.summons_report(
                actor=staff, summons=first, what="acknowledge", note="已收到，安排人员前往。"
            )


def _people(departments: dict[str, Department]) -> People:
    def user(name: str) -> User:
        return User.objects.get(username=name)

    people = People(
        district_admin=user("qu_admin"),
        subdistrict_admin=user("jd_admin"),
        community_worker=user("sq_worker"),
        grid_worker=user("wg_worker"),
        member=user("dy_member"),
        resident=user("jm_resident"),
        subdistrict_path=active_scope(user("jd_admin")).area_path or "",
    )
    for department in departments.values():
        staff = (
            User.objects.filter(role_assignments__department=department, role_assignments__is_active=True)
            .order_by("pk")
            .first()
        )
        people.staff[department.pk] = staff
    return people


def _duty_lists(district: Area, departments: dict[str, Department], actor: User) -> None:
    categories = {c.code: c for c in CaseCategory.objects.all()}
    for subdistrict in Area.objects.filter(parent=district, level=Level.SUBDISTRICT).order_by("path"):
        for name, area, lead, supporting, codes, amount, unit in DUTY_ITEMS:
            if DutyItem.objects.filter(subdistrict=subdistrict, name=name).exists():
                continue
            duty_services.duty_item_create(
                actor=actor,
                subdistrict=subdistrict,
                name=name,
                duty_area=area,
                lead_department=departments[lead],
                supporting_departments=[departments[k] for k in supporting],
                categories=[categories[c] for c in codes if c in categories],
                limit_amount=amount,
                limit_unit=unit,
            )


# -- cases ----------------------------------------------------------------------------------------
def _point_in(grid: Area, rng: random.Random) -> tuple[float, float]:
    """A point well inside a grid: between its centroid and one of its corners."""
    ring = grid.boundary["coordinates"][0][:-1]
    clng = sum(p[0] for p in ring) / len(ring)
    clat = sum(p[1] for p in ring) / len(ring)
    vlng, vlat = rng.choice(ring)
    t = rng.uniform(0.05, 0.5)
    return round(clat + t * (vlat - clat), 6), round(clng + t * (vlng - clng), 6)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


class Timeline:
    """The planned times of a case's steps, and the log rows each step wrote."""

    def __init__(self, case: Case, received: datetime.datetime):
        self.case = case
        self.number = case.number  # today's number, replaced by one of the day it came in
        self.received = received
        self.times: dict[str, datetime.datetime] = {"received": received}
        self.log_times: list[tuple[int, datetime.datetime]] = []
        self.last_log = CaseLog.objects.filter(case=case).aggregate(m=Max("pk"))["m"] or 0
        self.mark(received)

    def mark(self, at: datetime.datetime) -> None:
        """Every log row written since the last mark happened at `at`."""
        rows = list(CaseLog.objects.filter(case_id=self.case.pk, pk__gt=self.last_log).values_list("pk", flat=True))
        self.log_times += [(pk, at) for pk in rows]
        if rows:
            self.last_log = max(rows)


def _cases(rng: random.Random, district: Area, people: People, count: int) -> None:
    now = timezone.now()
    grids = list(
        Area.objects.filter(prefix_q("path", district.path), level=Level.GRID, boundary__isnull=False)
        .select_related("parent")
        .order_by("path")
    )
    categories = {c.code: c for c in CaseCategory.objects.filter(code__in=CATEGORY_WEIGHTS)}
    codes = [c for c in CATEGORY_WEIGHTS if c in categories]
    weights = [CATEGORY_WEIGHTS[c] for c in codes]
    # Received times: recent days busier; sorted so that numbers follow time.
    received = sorted(now - datetime.timedelta(days=DAYS * (1 - math.sqrt(rng.random()))) for _k in range(count))
    timelines: list[Timeline] = []
    open_cases: list[Case] = []
    for k, at in enumerate(received):
        grid = grids[k % len(grids)] if k < len(grids) else rng.choice(grids)
        category = categories[rng.choices(codes, weights)[0]]
        again = k >= len(grids) and open_cases and rng.random() < 0.07
        main = rng.choice(open_cases[-8:]) if again else None
        if main is not None:  # the same problem reported again, by someone else
            main = Case.objects.select_related("grid__parent", "category").get(pk=main.pk)
            grid, category = main.grid or grid, main.category
        timeline = _one_case(rng, at, now, grid, category, people, main)
        timelines.append(timeline)
        if timeline.case.is_open:
            open_cases.append(timeline.case)
    _backdate(timelines, district)
    deadlines.scan_overdue(now)
    deadlines.scan_escalate(now)


def _one_case(
    rng: random.Random,
    at: datetime.datetime,
    now: datetime.datetime,
    grid: Area,
    category: CaseCategory,
    people: People,
    main: Case | None,
) -> Timeline:
    lat, lng = _point_in(grid, rng)
    dispatcher = _dispatcher_for(grid, people)
    channel = rng.choices([Channel.PHONE, Channel.PATROL, Channel.HOTLINE, Channel.WALK_IN], [40, 30, 20, 10])[0]
    kwargs: dict[str, Any] = {
        "channel": channel,
        "category": category,
        "description": main.description if main is not None else rng.choice(DESCRIPTIONS[category.code]),
        "lat": lat,
        "lng": lng,
    }
    actor: User | None = None
    if channel == Channel.PHONE:
        if grid.parent.name == HOME_COMMUNITY and rng.random() < 0.4:
            actor = people.resident
        else:
            kwargs.update(reporter_name=person_name(rng), reporter_phone=_phone(rng))
    elif channel == Channel.PATROL:
        if grid.name == HOME_GRID:
            actor, kwargs["accept"] = people.grid_worker, True
        else:
            kwargs["reporter_name"] = person_name(rng)
    else:  # the hotline and the walk-in desk take the call and accept it at once (首问负责)
        actor = dispatcher
        kwargs.update(reporter_name=person_name(rng), reporter_phone=_phone(rng), accept=True)
        kwargs["address"] = f"{grid.name}辖区"
    case = intake_services.case_submit(actor=actor, **kwargs)
    timeline = Timeline(case, at)
    case = Case.objects.select_related("community", "subdistrict", "grid", "duty_item").get(pk=case.pk)
    timeline.case = case
    accepted = case.status == CaseStatus.ACCEPTED
    if accepted:
        timeline.times["accepted"] = at
    step_at = at + rng.uniform(0.1, 1.5) * H
    if step_at > now:
        return timeline
    if main is not None:  # merged into the first report
        main.refresh_from_db()
        if main.is_open:
            owner = case.owner if accepted and case.owner is not None else dispatcher
            timeline.case = services.case_merge(actor=owner, case=case, main=main, note="同一问题重复反映")
            timeline.mark(step_at)
            return timeline
    if accepted:
        return _handle(rng, timeline, now, people, case.owner or dispatcher, at)
    if rng.random() < 0.03:  # not for the platform
        timeline.case = services.case_reject(
            actor=dispatcher, case=case, reason="属于民事纠纷，已告知可通过人民调解或诉讼解决"
        )
        timeline.mark(step_at)
        return timeline
    case = services.case_accept(actor=dispatcher, case=case)
    timeline.times["accepted"] = step_at
    timeline.mark(step_at)
    timeline.case = case
    return _handle(rng, timeline, now, people, dispatcher, step_at)


def _dispatcher_for(grid: Area, people: People) -> User:
    """Who accepts and dispatches: the community worker in 婆石, the street's admin in 拱北, else the district."""
    if grid.parent.name == HOME_COMMUNITY:
        return people.community_worker
    if grid.path.startswith(people.subdistrict_path):
        return people.subdistrict_admin
    return people.district_admin


def _receiver_for(case: Case, people: People) -> tuple[str, dict[str, Any], User | None]:
    """Where a case goes, and who signs for it (None: nobody has signed yet)."""
    department = case.duty_item.lead_department if case.duty_item_id else None
    home = case.community is not None and case.community.name == HOME_COMMUNITY
    if home and case.grid is not None and case.grid.name == HOME_GRID and department is None:
        return AssigneeKind.GRID, {"area": case.grid, "user": people.grid_worker}, people.grid_worker
    if home and department is None:
        return AssigneeKind.COMMUNITY, {"area": case.community}, people.community_worker
    if department is not None:
        return AssigneeKind.DEPARTMENT, {"department": department}, people.staff.get(department.pk)
    return AssigneeKind.GRID, {"area": case.grid}, None


def _handle(
    rng: random.Random,
    timeline: Timeline,
    now: datetime.datetime,
    people: People,
    owner: User,
    accepted: datetime.datetime,
) -> Timeline:
    case = timeline.case
    at = accepted + rng.uniform(0.2, 4) * H
    if at > now:
        return timeline
    published = case.community is not None and case.community.name == HOME_COMMUNITY and rng.random() < 0.12
    if published:
        case = services.case_publish(actor=owner, case=case)
        timeline.times["dispatched"] = at
        timeline.mark(at)
        at += rng.uniform(2, 20) * H
        if at > now:
            timeline.case = case
            return timeline
        case = services.case_claim(actor=people.member, case=case, note="我来跟进")
        timeline.mark(at)
        receiver: User | None = people.member
    else:
        kind, target, receiver = _receiver_for(case, people)
        case = services.case_dispatch(actor=owner, case=case, kind=kind, **target)
        timeline.times["dispatched"] = at
        timeline.mark(at)
        if receiver is None:
            timeline.case = case
            return timeline  # waits for the grid worker to sign
        at += rng.uniform(0.3, 6) * H
        if at > now:
            timeline.case = case
            return timeline
        if kind == AssigneeKind.DEPARTMENT and rng.random() < 0.1:
            # Returned: the department sends it back, the owner gives it to the community instead.
            case = services.case_return(actor=receiver, case=case, reason=rng.choice(RETURN_REASONS))
            timeline.mark(at)
            at += rng.uniform(0.5, 4) * H
            if at > now:
                timeline.case = case
                return timeline
            target = {"area": case.grid} if case.grid is not None else {"area": case.community}
            kind = AssigneeKind.GRID if case.grid is not None else AssigneeKind.COMMUNITY
            case = services.case_dispatch(actor=owner, case=case, kind=kind, note="改派属地网格处置", **target)
            timeline.times["dispatched"] = at
            timeline.mark(at)
            receiver = people.grid_worker if case.grid is not None and case.grid.name == HOME_GRID else None
            if receiver is None:
                timeline.case = case
                return timeline
            at += rng.uniform(0.3, 4) * H
            if at > now:
                timeline.case = case
                return timeline
        case = services.case_take(actor=receiver, case=case)
        timeline.mark(at)
    # Handling: most within the limit, a tail runs late, a few stall (overdue and open).
    stall = rng.random() < 0.08
    hours = rng.lognormvariate(math.log(20), 0.9)
    progress = at + min(hours / 2, 12) * H
    if progress <= now and rng.random() < 0.5:
        case = services.case_note(actor=receiver, case=case, text="已到现场查看，正在协调处理", public=True)
        timeline.mark(progress)
    at += hours * H
    if stall or at > now:
        timeline.case = case
        return timeline
    case = services.case_close(actor=receiver, case=case, result=rng.choice(RESULTS))
    timeline.times["closed"] = at
    timeline.mark(at)
    at += rng.uniform(3, 40) * H
    if at > now or (now - at < 5 * 24 * H and rng.random() < 0.4):  # not called back yet
        timeline.case = case
        return timeline
    rating = rng.choices([Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], [78, 15, 7])[0]
    note = rng.choice(UNSATISFIED_NOTES) if rating == Rating.UNSATISFIED else ""
    caller = people.resident if case.reporter_id == people.resident.pk else owner
    case = services.case_callback(actor=caller, case=case, rating=rating, note=note)
    timeline.times["called_back"] = at
    timeline.mark(at)
    if rating == Rating.UNSATISFIED:
        timeline.times["reopened"] = at
        timeline.times.pop("closed", None)
        timeline.case = case
        return timeline
    at += rng.uniform(7 * 24, 9 * 24) * H
    if at <= now:
        case = services.case_archive(actor=None, case=case)
        timeline.mark(at)
    timeline.case = case
    return timeline


def _backdate(timelines: list[Timeline], district: Area) -> None:
    """Move every case, log row and department link to its planned time, then number the cases by
    the day they came in (as the daily counter would have)."""
    policy = CasePolicy.objects.filter(district=district).first() or CasePolicy(district=district)
    by_day: dict[datetime.date, list[Timeline]] = defaultdict(list)
    for timeline in timelines:
        case = Case.objects.select_related("duty_item").get(pk=timeline.case.pk)
        times = timeline.times
        fields: dict[str, Any] = {
            "received_at": times["received"],
            "accepted_at": times.get("accepted") if case.accepted_at else None,
            "dispatched_at": times.get("dispatched") if case.dispatched_at else None,
            "closed_at": times.get("closed") if case.closed_at else None,
            "called_back_at": times.get("called_back") if case.called_back_at else None,
            "updated_at": timeline.log_times[-1][1] if timeline.log_times else times["received"],
            "number": f"TMP-{case.pk}",
        }
        if case.deadline is not None:
            start = times.get("reopened") or times.get("accepted") or times["received"]
            amount, unit = services.limit_for(case)
            fields["deadline"] = deadline_after(start, amount, unit)
        Case.objects.filter(pk=case.pk).update(**fields)
        for pk, at in timeline.log_times:
            CaseLog.objects.filter(pk=pk).update(at=at)
        if "dispatched" in times:
            CaseDepartment.objects.filter(case_id=case.pk).update(since=times["dispatched"])
        by_day[timezone.localtime(times["received"]).date()].append(timeline)
    renumbered: list[tuple[str, str, str]] = []  # (today's number, placeholder, the day's number)
    for day, day_timelines in sorted(by_day.items()):
        for seq, timeline in enumerate(sorted(day_timelines, key=lambda t: t.received), start=1):
            number = intake_services.format_number(policy.number_prefix, day, seq)
            Case.objects.filter(pk=timeline.case.pk).update(number=number)
            renumbered.append((timeline.number, f"⟦{timeline.case.pk}⟧", number))
        CaseCounter.objects.update_or_create(day=day, defaults={"last": len(day_timelines)})
    # Today's counter went on with each submit above: it restarts after today's renumbered cases.
    today = timezone.localdate()
    CaseCounter.objects.filter(day=today).update(last=len(by_day.get(today, ())))
    # The log's notes name cases by number ("已登记，编号 …", merges, duplicates): in two passes, as
    # the old and the new numbers of today overlap.
    logs = CaseLog.objects.filter(case__district=district)
    for old, placeholder, _new in renumbered:
        logs.filter(note__contains=old).update(note=Replace("note", Value(old), Value(placeholder)))
    for _old, placeholder, new in renumbered:
        logs.filter(note__contains=placeholder).update(note=Replace("note", Value(placeholder), Value(new)))
