"""Bulk demand rows for benchmarks (`generate_demands`: a million demands over a year, COPY on
PostgreSQL, bulk_create elsewhere). The rows look like a year of the loop: every state, the times of
the steps reached, hours on the served ones, ratings on most of those, assignees left empty (the
figures and lists read the state and times; the assignee is a join the list page does not need)."""

from __future__ import annotations

import datetime
import random
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.demands.models import Demand, DemandKind, DemandStatus, NeedCategory
from dangjian.territory.models import Area, Level

BATCH_SIZE = 20_000
# (state, weight) of a year of demands, the older the more settled (see _lifecycle).
OPEN_WEIGHTS = (
    (DemandStatus.SUBMITTED, 4),
    (DemandStatus.ACCEPTED, 3),
    (DemandStatus.PUBLISHED, 3),
    (DemandStatus.DISPATCHED, 4),
    (DemandStatus.TAKEN, 8),
)
FINAL_WEIGHTS = (
    (DemandStatus.DECLINED, 5),
    (DemandStatus.WITHDRAWN, 3),
    (DemandStatus.DONE, 6),
    (DemandStatus.RATED, 70),
    (DemandStatus.CLOSED, 16),
)
COLUMNS = [
    "id", "public_id", "kind", "category_id", "title", "description", "community_id", "grid_id", "area_path",
    "requester_name", "requester_phone", "bank_hours", "status", "decline_reason", "assignee_kind", "submitted_at",
    "accepted_at", "assigned_at", "taken_at", "done_at", "rated_at", "step_due_at", "done_note", "hours", "rating",
    "rating_note", "version", "updated_at",
]  # fmt: skip
TITLES = ("帮忙买菜", "陪同就医", "维修灯具", "辅导功课", "楼道清理", "防诈宣讲", "微心愿：助听器", "义诊")


def _weighted(rng: random.Random, pairs) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _lifecycle(rng: random.Random, submitted: datetime.datetime, now: datetime.datetime) -> dict[str, Any]:
    age_days = (now - submitted).total_seconds() / 86400
    status = _weighted(rng, OPEN_WEIGHTS if age_days < 10 and rng.random() < 0.7 else FINAL_WEIGHTS)
    hour = datetime.timedelta(hours=1)
    t: dict[str, Any] = dict.fromkeys(("accepted_at", "assigned_at", "taken_at", "done_at", "rated_at"))
    reached = {
        DemandStatus.SUBMITTED: 0, DemandStatus.DECLINED: 0, DemandStatus.WITHDRAWN: 0, DemandStatus.ACCEPTED: 1,
        DemandStatus.PUBLISHED: 2, DemandStatus.DISPATCHED: 2, DemandStatus.TAKEN: 3, DemandStatus.DONE: 4,
        DemandStatus.RATED: 5, DemandStatus.CLOSED: 4,
    }[status]  # fmt: skip
    at = submitted
    for step, name in enumerate(("accepted_at", "assigned_at", "taken_at", "done_at", "rated_at"), start=1):
        if step > reached:
            break
        at = min(at + hour * rng.uniform(1, 48), now)
        t[name] = at
    served = status in (DemandStatus.DONE, DemandStatus.RATED, DemandStatus.CLOSED)
    rating = rng.choices([5, 4, 3, 2, 1], weights=[55, 30, 9, 4, 2])[0] if status == DemandStatus.RATED else None
    due = None
    if status in (DemandStatus.SUBMITTED, DemandStatus.ACCEPTED, DemandStatus.PUBLISHED, DemandStatus.DISPATCHED):
        due = at + hour * 24
    elif status == DemandStatus.TAKEN:
        due = at + hour * 24 * 7
    return {
        "status": status,
        **t,
        "step_due_at": due,
        "hours": Decimal(rng.choice(("0.5", "1.0", "1.5", "2.0", "3.0"))) if served else None,
        "rating": rating,
        "assignee_kind": "member" if reached >= 2 else "",
        "decline_reason": "不属于服务范围" if status == DemandStatus.DECLINED else "",
    }


def _sites(root: Area) -> list[tuple[int, int, str]]:
    """(community id, grid id, grid path) of every grid under `root`."""
    grids = Area.objects.filter(path__startswith=root.path, level=Level.GRID).select_related("parent")
    out = []
    for grid in grids.order_by("path"):
        community = grid.parent
        while community is not None and community.level != Level.COMMUNITY:
            community = community.parent
        if community is not None:
            out.append((community.pk, grid.pk, grid.path))
    return out


def _rows(rng, total, sites, categories, *, now, days, first_id) -> Iterator[dict[str, Any]]:
    span = days * 86400
    # Busy and quiet grids (a lognormal weight each, about 1:10 between the 5th and 95th percentile).
    cumulative, acc = [], 0.0
    for _site in sites:
        acc += rng.lognormvariate(0, 0.7)
        cumulative.append(acc)
    for i in range(total):
        community_id, grid_id, path = rng.choices(sites, cum_weights=cumulative)[0]
        submitted = now - datetime.timedelta(seconds=rng.random() * span)
        yield {
            "id": first_id + i,
            "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "kind": rng.choice(DemandKind.values),
            "category_id": rng.choice(categories) if categories else None,
            "title": rng.choice(TITLES),
            "description": "",
            "community_id": community_id,
            "grid_id": grid_id,
            "area_path": path,
            "requester_name": "居民",
            "requester_phone": "",
            "bank_hours": Decimal(0),
            "submitted_at": submitted,
            "done_note": "",
            "rating_note": "",
            "version": 1,
            "updated_at": now,
            **_lifecycle(rng, submitted, now),
        }


@contextmanager
def _explicit_times() -> Iterator[None]:
    field = Demand._meta.get_field("submitted_at")
    saved = field.auto_now_add
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = saved


def _flush(rows: list[dict[str, Any]]) -> None:
    if connection.vendor == "postgresql":
        table = Demand._meta.db_table
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(tuple(row[c] for c in COLUMNS))
    else:
        with _explicit_times():
            Demand.objects.bulk_create([Demand(**row) for row in rows], batch_size=2000)
    reset_queries()


@transaction.atomic
def generate_demands(
    total: int,
    *,
    root: Area,
    seed: int = 7,
    days: int = 365,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
) -> int:
    """Write `total` demands spread (unevenly, as in life) over the grids under `root` and the last
    `days` days. Returns the number written."""
    from tqdm import tqdm

    rng = random.Random(seed)
    now = now or timezone.now()
    sites = _sites(root)
    if not sites:
        raise ValueError(f"no grids under {root}")
    categories = list(NeedCategory.objects.filter(district__isnull=True).values_list("pk", flat=True))
    first_id = (Demand.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    bar = tqdm(total=total, file=sys.stderr, unit="件", desc="需求", disable=not progress, mininterval=0.5)
    batch: list[dict[str, Any]] = []
    for row in _rows(rng, total, sites, categories, now=now, days=days, first_id=first_id):
        batch.append(row)
        if len(batch) >= batch_size:
            _flush(batch)
            bar.update(len(batch))
            batch = []
    if batch:
        _flush(batch)
        bar.update(len(batch))
    bar.close()
    if connection.vendor == "postgresql":
        table = Demand._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")
    return total
