"""Demo governance cases (a DEMO_EXTENSIONS step, run after the district, departments and accounts).

The six street-chief departments (公安、交警、消防、市场监管、城管、环卫) are made if the demo lacks
them, each with a staff account (password as the demo's); every subdistrict gets a duty list of a
dozen items over the three areas; then about 150 cases over the last 60 days, in every grid and
through the phone, patrol, hotline and walk-in channels, are taken through the real services
(case_submit, accept, dispatch, return, take, close, callback, archive, reject, merge, publish and
claim) by the demo's people, every step of every case in time order, each at its planned moment
under the demo clock (dangjian.demo.clock): so every log reads as it would have in life, with the
deadline the acceptance computed and the number of the day the case came in. Some run late, some
were returned, most of the older ones are rated. Everything follows from the seeded random.Random,
so equal seeds give equal cases (up to "now").
"""

from __future__ import annotations

import datetime
import functools
import heapq
import itertools
import math
import random
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import role_assign, user_create
from dangjian.audit.services import Action, audit_record
from dangjian.cases import deadlines, services
from dangjian.cases.duty import services as duty_services
from dangjian.cases.intake import services as intake_services
from dangjian.cases.models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseStatus,
    Channel,
    DutyArea,
    DutyItem,
    LimitUnit,
    Rating,
)
from dangjian.cases.whistle import services as whistle_services
from dangjian.cases.workflow import OPEN_STATUSES
from dangjian.core.scoping import active_scope, prefix_q
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department, DepartmentKind

from .accounts import DEMO_PASSWORD
from .clock import clock
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

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
                community_may_lead=area != DutyArea.ENFORCEMENT,  # 行政执法: the departments lead
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


# Every case's life is a generator: it takes a step (under the demo clock, at the step's planned
# moment) and yields the moment of its next step. One queue runs the steps of all cases in time order.
Life = Generator[datetime.datetime, None, None]


def _run_in_time_order(lives: Iterable[tuple[datetime.datetime, Callable[[], Life]]]) -> None:
    """Start each life at its moment and run every step of every life in time order (ties: first come)."""
    queue: list[tuple[datetime.datetime, int, Any]] = []
    seq = itertools.count()
    for at, start in lives:
        heapq.heappush(queue, (at, next(seq), start))
    while queue:
        at, _n, life = heapq.heappop(queue)
        with clock(at):
            if callable(life):
                life = life()
            moment = next(life, None)
        if moment is not None:
            heapq.heappush(queue, (moment, next(seq), life))


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
    home_grids = [g for g in grids if g.parent.name == HOME_COMMUNITY]
    reported: list[Case] = []  # every case so far, in the order they came in

    def life(k: int, at: datetime.datetime) -> Life:
        if k < len(grids):
            grid = grids[k]
        else:  # the demo's people live and work in 婆石社区: a quarter of the later cases are theirs
            grid = rng.choice(home_grids) if rng.random() < 0.25 else rng.choice(grids)
        category = categories[rng.choices(codes, weights)[0]]
        last = reported[-8:]
        still_open = set(
            Case.objects.filter(pk__in=[c.pk for c in last], status__in=OPEN_STATUSES).values_list("pk", flat=True)
        )
        recent = [c for c in last if c.pk in still_open]
        main = rng.choice(recent) if k >= len(grids) and recent and rng.random() < 0.07 else None
        if main is not None:  # the same problem reported again, by someone else
            main = Case.objects.select_related("grid__parent", "category").get(pk=main.pk)
            grid, category = main.grid or grid, main.category
        return _one_case(rng, at, now, grid, category, people, main, reported)

    _run_in_time_order((at, functools.partial(life, k, at)) for k, at in enumerate(received))
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
    reported: list[Case],
) -> Life:
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
    reported.append(case)
    case = Case.objects.select_related("community", "subdistrict", "grid", "duty_item").get(pk=case.pk)
    accepted = case.status == CaseStatus.ACCEPTED
    step_at = at + rng.uniform(0.1, 1.5) * H
    if step_at > now:
        return
    yield step_at
    if main is not None:  # merged into the first report, if that one is still open
        main.refresh_from_db()
        if main.is_open:
            owner = case.owner if accepted and case.owner is not None else dispatcher
            services.case_merge(actor=owner, case=case, main=main, note="同一问题重复反映")
            return
    if accepted:
        yield from _handle(rng, case, now, people, case.owner or dispatcher, step_at)
        return
    if rng.random() < 0.03:  # not for the platform
        services.case_reject(actor=dispatcher, case=case, reason="属于民事纠纷，已告知可通过人民调解或诉讼解决")
        return
    case = services.case_accept(actor=dispatcher, case=case)
    yield from _handle(rng, case, now, people, dispatcher, step_at)


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


def _caller(case: Case, people: People, owner: User) -> User:
    """Who calls back: the owner, unless they handled the case (then the level above)."""
    above = [people.subdistrict_admin] if case.area_path.startswith(people.subdistrict_path) else []
    for caller in (owner, *above, people.district_admin):
        if not services.handled_by(case, caller):
            return caller
    return people.district_admin


def _community_may_lead(case: Case) -> bool:
    return case.duty_item is None or case.duty_item.community_may_lead


def _handle(
    rng: random.Random,
    case: Case,
    now: datetime.datetime,
    people: People,
    owner: User,
    accepted: datetime.datetime,
) -> Life:
    """The steps after acceptance, each yielded at its moment (nothing planned after `now` happens)."""
    at = accepted + rng.uniform(0.2, 4) * H
    if at > now:
        return
    yield at
    published = case.community is not None and case.community.name == HOME_COMMUNITY and rng.random() < 0.12
    if published:
        case = services.case_publish(actor=owner, case=case)
        at += rng.uniform(2, 20) * H
        if at > now:
            return
        yield at
        case = services.case_claim(actor=people.member, case=case, note="我来跟进")
        receiver: User | None = people.member
    else:
        kind, target, receiver = _receiver_for(case, people)
        case = services.case_dispatch(actor=owner, case=case, kind=kind, **target)
        if receiver is None:
            return  # waits for the grid worker to sign
        at += rng.uniform(0.3, 6) * H
        if at > now:
            return
        yield at
        if kind == AssigneeKind.DEPARTMENT and rng.random() < 0.1 and _community_may_lead(case):
            # Returned: the department sends it back, the owner gives it to the community instead
            # (never an enforcement item: a community may not lead those).
            case = services.case_return(actor=receiver, case=case, reason=rng.choice(RETURN_REASONS))
            at += rng.uniform(0.5, 4) * H
            if at > now:
                return
            yield at
            target = {"area": case.grid} if case.grid is not None else {"area": case.community}
            kind = AssigneeKind.GRID if case.grid is not None else AssigneeKind.COMMUNITY
            case = services.case_dispatch(actor=owner, case=case, kind=kind, note="改派属地网格处置", **target)
            receiver = people.grid_worker if case.grid is not None and case.grid.name == HOME_GRID else None
            if receiver is None:
                return
            at += rng.uniform(0.3, 4) * H
            if at > now:
                return
            yield at
        case = services.case_take(actor=receiver, case=case)
    # Handling: most within the limit, a tail runs late, a few stall (overdue and open).
    stall = rng.random() < 0.08
    hours = rng.lognormvariate(math.log(20), 0.9)
    progress = at + min(hours / 2, 12) * H
    if progress <= now and rng.random() < 0.5:
        yield progress
        case = services.case_note(actor=receiver, case=case, text="已到现场查看，正在协调处理", public=True)
    at += hours * H
    if stall or at > now:
        return
    yield at
    case = services.case_close(actor=receiver, case=case, result=rng.choice(RESULTS))
    at += rng.uniform(3, 40) * H
    if at > now or (now - at < 5 * 24 * H and rng.random() < 0.4):  # not called back yet
        return
    yield at
    rating = rng.choices([Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED], [78, 15, 7])[0]
    note = rng.choice(UNSATISFIED_NOTES) if rating == Rating.UNSATISFIED else ""
    caller = people.resident if case.reporter_id == people.resident.pk else _caller(case, people, owner)
    case = services.case_callback(actor=caller, case=case, rating=rating, note=note)
    if rating == Rating.UNSATISFIED:
        return
    at += rng.uniform(7 * 24, 9 * 24) * H
    if at <= now:
        yield at
        services.case_archive(actor=None, case=case)
