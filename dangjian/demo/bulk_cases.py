"""Cases with explicit times, written directly (not through the services, which stamp "now").

Two uses: tests that need cases at known times (`make_case`), and the city-scale benchmark
(`generate_cases`: a million cases over a year, COPY on PostgreSQL, bulk_create elsewhere).
Bulk cases carry their lifecycle times, assignee, rating and department links, but no log rows,
photos or audit events: they exist to be read by lists and figures, not replayed.
"""

from __future__ import annotations

import datetime
import math
import random
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, reset_queries, transaction
from django.db.models import Max, Q
from django.utils import timezone

from dangjian.cases.models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseStatus,
    Channel,
    Placement,
    Rating,
    due_key_value,
)
from dangjian.core.scoping import prefix_q
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

BATCH_SIZE = 5000


# -- one case, for tests ----------------------------------------------------------------------------
def placement_fields(area: Area) -> dict[str, Any]:
    """grid / community / subdistrict / district and area_path for a case placed at `area`."""
    nodes = {a.level: a for a in Area.objects.filter(path__in=[*ancestor_paths(area.path), area.path])}
    return {
        "grid": nodes.get(Level.GRID),
        "community": nodes.get(Level.COMMUNITY),
        "subdistrict": nodes.get(Level.SUBDISTRICT),
        "district": nodes[Level.DISTRICT],
        "area_path": area.path,
        "placement": Placement.POINT if area.level == Level.GRID else Placement.MANUAL,
    }


_seq = iter(range(1, 10**9))


def make_case(
    *,
    area: Area,
    received_at: datetime.datetime,
    status: str = CaseStatus.SUBMITTED,
    category: CaseCategory | None = None,
    departments: tuple[Department, ...] = (),
    **fields: Any,
) -> Case:
    """One case at `area`, received at `received_at`, with whatever times and outcome `fields` give.
    The first of `departments` is the assignee; every one of them gets a CaseDepartment link."""
    category = category or CaseCategory.objects.order_by("sort", "code").first()
    number = f"TS-{timezone.localtime(received_at):%Y%m%d}-{next(_seq):05d}"
    if departments:
        fields.setdefault("assignee_kind", AssigneeKind.DEPARTMENT)
        fields.setdefault("assigned_department", departments[0])
    case = Case.objects.create(
        number=number,
        channel=fields.pop("channel", Channel.PHONE),
        category=category,
        description=fields.pop("description", "测试事件"),
        status=status,
        **placement_fields(area),
        **fields,
    )
    Case.objects.filter(pk=case.pk).update(received_at=received_at)  # auto_now_add stamped "now"
    case.received_at = received_at
    for department in departments:
        CaseDepartment.objects.create(case=case, department=department)
    return case


# -- many cases, for the benchmark ------------------------------------------------------------------
DESCRIPTIONS = {
    "garbage": "小区门口垃圾堆放多日无人清运，有异味",
    "sanitation": "楼道污水横流，请安排保洁清扫",
    "road_damage": "人行道地砖破损塌陷，老人容易绊倒",
    "street_light": "路口两盏路灯晚上不亮",
    "manhole": "路边井盖缺失，存在安全隐患",
    "greening": "台风后树木倒伏压住围墙",
    "street_vending": "夜市流动商贩占道经营，影响通行",
    "illegal_construction": "顶楼住户私搭乱建阳光房",
    "illegal_parking": "消防通道被车辆长期占用停放",
    "noise": "夜间装修施工噪音扰民",
    "fire_lane": "电动车在楼道飞线充电",
    "public_security": "地下车库多次发生电动车电瓶被盗",
    "food_safety": "街边小餐馆无证经营，卫生条件差",
    "property_dispute": "电梯频繁故障，物业迟迟不维修",
    "neighbor_dispute": "楼上住户漏水，邻里协商不成",
    "other": "反映其他问题，请社区协调",
}
CHANNEL_WEIGHTS = (
    (Channel.PHONE, 40),
    (Channel.PATROL, 30),
    (Channel.HOTLINE, 20),
    (Channel.WALK_IN, 7),
    (Channel.API, 3),
)
LIMIT_HOURS = (48, 72, 120, 168)  # the duty items' limits, in elapsed hours (the bench skips workdays)


@dataclass(frozen=True)
class GridSite:
    grid_id: int
    community_id: int
    subdistrict_id: int | None
    district_id: int
    path: str
    bbox: tuple[float, float, float, float] | None  # min_lat, min_lng, max_lat, max_lng


def grid_sites(root: Area) -> list[GridSite]:
    """Every grid under `root`, with the ids of its community, subdistrict and district."""
    areas = {a["path"]: a for a in Area.objects.filter(prefix_q("path", root.path)).values()}
    for path in ancestor_paths(root.path):
        for a in Area.objects.filter(path=path).values():
            areas[a["path"]] = a
    sites = []
    for path, a in sorted(areas.items()):
        if a["level"] != Level.GRID:
            continue
        up = {areas[p]["level"]: areas[p]["id"] for p in ancestor_paths(path) if p in areas}
        bbox = (a["min_lat"], a["min_lng"], a["max_lat"], a["max_lng"]) if a["min_lat"] is not None else None
        sites.append(GridSite(a["id"], up[Level.COMMUNITY], up.get(Level.SUBDISTRICT), up[Level.DISTRICT], path, bbox))
    return sites


def _weighted(rng: random.Random, pairs) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _lifecycle(rng: random.Random, received: datetime.datetime, now: datetime.datetime) -> dict[str, Any]:
    """Times and status of a case received at `received`, as it would stand `now`."""
    h = datetime.timedelta(hours=1)
    r = rng.random()
    fields: dict[str, Any] = {"status": CaseStatus.SUBMITTED}
    if r < 0.02 and now - received > 2 * h:
        return {"status": CaseStatus.REJECTED, "reject_reason": "不属于受理范围，已告知反映人"}
    accepted = received + rng.uniform(0.05, 2) * h
    if accepted > now:
        return fields
    deadline = accepted + rng.choice(LIMIT_HOURS) * h
    fields.update(status=CaseStatus.ACCEPTED, accepted_at=accepted, deadline=deadline)
    if r < 0.03:
        return {**fields, "status": CaseStatus.MERGED}
    dispatched = accepted + rng.uniform(0.1, 6) * h
    if dispatched > now:
        return fields
    fields.update(status=CaseStatus.DISPATCHED, dispatched_at=dispatched)
    taken = dispatched + rng.uniform(0.1, 4) * h
    if taken > now:
        return fields
    fields["status"] = CaseStatus.HANDLING
    if rng.random() < 0.07:
        fields["return_count"] = 1 if rng.random() < 0.85 else 2
    # Most close well within the limit; a tail runs late.
    closed = taken + min(rng.lognormvariate(math.log(20), 0.9), 24 * 40) * h
    if closed > now:
        return fields
    fields.update(status=CaseStatus.CLOSED, closed_at=closed, result="已处置完毕，现场已恢复")
    called = closed + rng.uniform(2, 48) * h
    if called > now:
        return fields
    rating = _weighted(rng, ((Rating.SATISFIED, 80), (Rating.BASIC, 12), (Rating.UNSATISFIED, 8)))
    fields.update(status=CaseStatus.CALLED_BACK, called_back_at=called, rating=rating)
    if called + 7 * 24 * h <= now:
        fields["status"] = CaseStatus.ARCHIVED
    return fields


def _case_rows(
    rng: random.Random,
    total: int,
    sites: list[GridSite],
    categories: list[tuple[int, str]],
    departments: list[int],
    *,
    now: datetime.datetime,
    days: int,
    first_id: int,
    prefix: str,
) -> Iterator[tuple[dict[str, Any], int | None]]:
    """(case fields, department id or None) for `total` cases received over the last `days` days."""
    span = days * 86400
    for k in range(total):
        received = now - datetime.timedelta(seconds=rng.uniform(0, span))
        site = sites[rng.randrange(len(sites))]
        category_id, code = categories[rng.randrange(len(categories))]
        day = timezone.localtime(received).strftime("%Y%m%d")
        lat = lng = None
        if site.bbox is not None:
            lat = round(rng.uniform(site.bbox[0], site.bbox[2]), 6)
            lng = round(rng.uniform(site.bbox[1], site.bbox[3]), 6)
        row: dict[str, Any] = {
            "id": first_id + k,
            "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "number": f"{prefix}-{day}-{first_id + k:07d}",  # unique across runs: the row's own id
            "channel": _weighted(rng, CHANNEL_WEIGHTS),
            "category_id": category_id,
            "description": DESCRIPTIONS.get(code, DESCRIPTIONS["other"]),
            "attributes": "{}",
            "lat": lat,
            "lng": lng,
            "address": "",
            "placement": Placement.POINT if lat is not None else Placement.MANUAL,
            "grid_id": site.grid_id,
            "community_id": site.community_id,
            "subdistrict_id": site.subdistrict_id,
            "district_id": site.district_id,
            "area_path": site.path,
            "reporter_name": "",
            "reporter_phone": f"139{rng.randrange(10**8):08d}" if rng.random() < 0.6 else "",
            "assignee_kind": "",
            "assigned_area_id": None,
            "assigned_department_id": None,
            "received_at": received,
            "accepted_at": None,
            "dispatched_at": None,
            "closed_at": None,
            "called_back_at": None,
            "deadline": None,
            "escalation_level": 0,
            "supervised": False,
            "return_count": 0,
            "reopen_count": 0,
            "result": "",
            "rating": "",
            "rating_note": "",
            "reject_reason": "",
            "idempotency_key": "",
            "version": 1,
            "updated_at": now,
        }
        row.update(_lifecycle(rng, received, now))
        row["due_key"] = due_key_value(row["status"], row["deadline"], received)  # COPY skips Case.save
        department = None
        if row["dispatched_at"] is not None:
            kind = _weighted(
                rng, ((AssigneeKind.DEPARTMENT, 40), (AssigneeKind.GRID, 45), (AssigneeKind.COMMUNITY, 15))
            )
            row["assignee_kind"] = kind
            if kind == AssigneeKind.DEPARTMENT and departments:
                department = departments[rng.randrange(len(departments))]
                row["assigned_department_id"] = department
            elif kind == AssigneeKind.COMMUNITY:
                row["assigned_area_id"] = site.community_id
            else:
                row["assignee_kind"] = AssigneeKind.GRID
                row["assigned_area_id"] = site.grid_id
        yield row, department


COLUMNS = [
    "id", "public_id", "number", "channel", "category_id", "description", "attributes", "lat", "lng", "address",
    "placement", "grid_id", "community_id", "subdistrict_id", "district_id", "area_path", "reporter_name",
    "reporter_phone", "assignee_kind", "assigned_area_id", "assigned_department_id", "received_at", "accepted_at",
    "dispatched_at", "closed_at", "called_back_at", "deadline", "escalation_level", "supervised", "return_count",
    "reopen_count", "result", "rating", "rating_note", "reject_reason", "idempotency_key", "version", "updated_at",
    "status", "due_key",
]  # fmt: skip


@contextmanager
def _explicit_times() -> Iterator[None]:
    """Let bulk_create keep the given received_at / since (auto_now_add would stamp now)."""
    fields = [Case._meta.get_field("received_at"), CaseDepartment._meta.get_field("since")]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _flush(cases: list[dict[str, Any]], links: list[tuple[int, int]], now: datetime.datetime) -> None:
    if connection.vendor == "postgresql":
        _copy(Case._meta.db_table, COLUMNS, [tuple(row[c] for c in COLUMNS) for row in cases])
        _copy(CaseDepartment._meta.db_table, ["case_id", "department_id", "since"], [(c, d, now) for c, d in links])
    else:
        with _explicit_times():
            Case.objects.bulk_create([Case(**{**row, "attributes": {}}) for row in cases], batch_size=BATCH_SIZE)
            CaseDepartment.objects.bulk_create(
                [CaseDepartment(case_id=c, department_id=d, since=now) for c, d in links], batch_size=BATCH_SIZE
            )
    reset_queries()


@transaction.atomic
def generate_cases(
    total: int,
    *,
    root: Area,
    seed: int = 7,
    days: int = 365,
    now: datetime.datetime | None = None,
    prefix: str = "BJ",
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
) -> int:
    """Write `total` cases spread over the grids under `root` and the last `days` days. Returns the
    number written. Departments of the district (and above) take the department dispatches."""
    from tqdm import tqdm

    rng = random.Random(seed)
    now = now or timezone.now()
    sites = grid_sites(root)
    if not sites:
        raise ValueError(f"no grids under {root}")
    categories = list(CaseCategory.objects.filter(is_active=True).order_by("sort").values_list("pk", "code"))
    # The departments serving the root's subtree or a level above it take the department dispatches.
    departments = list(
        Department.objects.filter(prefix_q("area__path", root.path) | Q(area__path__in=ancestor_paths(root.path)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first_id = (Case.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    bar = tqdm(total=total, file=sys.stderr, unit="件", desc="事件", disable=not progress, mininterval=0.5)
    cases: list[dict[str, Any]] = []
    links: list[tuple[int, int]] = []
    rows = _case_rows(rng, total, sites, categories, departments, now=now, days=days, first_id=first_id, prefix=prefix)
    for row, department in rows:
        cases.append(row)
        if department is not None:
            links.append((row["id"], department))
        if len(cases) >= batch_size:
            _flush(cases, links, now)
            bar.update(len(cases))
            cases, links = [], []
    if cases:
        _flush(cases, links, now)
        bar.update(len(cases))
    bar.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (Case._meta.db_table, CaseDepartment._meta.db_table):
                last = f"(SELECT COALESCE(MAX(id), 1) FROM {table})"
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
            cursor.execute(f"ANALYZE {CaseDepartment._meta.db_table}")
    return total
