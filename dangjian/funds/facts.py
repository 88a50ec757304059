"""What funds add to the figures store (core.figures.facts).

"funds" (flow): every journal on its day at its area (a community or a subdistrict): how many of each
kind, and its amount in fen under the dimensions "flow:<journal kind>" (allocated, committed, paid,
refunded, released per node and period) and "ff:<journal kind>.<fund kind>" (the same per fund kind).
The total row's amount mixes kinds and is not read.

"fund_alloc" (stock): what was allocated to an area of each fund kind for each year, as of any date,
under "fy:<fund kind>.<year>" (fen); the floors page compares it with each area's floor. Journals are
append-only, so a row's part never changes: the stock on date D is every allocation made up to D.

"fund_floors" (stock): each community's and subdistrict's floors of the current year: "floors", its
district's active fund kinds whose rule gives it a floor above zero (on the year's reckoned bases, or none:
as the floors page reckons them), and "met", those its allocations of the year reach. The year is the
current one: the floors of a past date are that date's year's as they stood then; on 1 January the
queue records every area again (funds.tasks), which moves the stock to the new year.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.money import fen
from dangjian.core.tree import STEP, subtree_q
from dangjian.territory.models import Area

from .models import FloorBasis, FundKind, Journal, JournalKind, Level, Rule
from .rules import floor_of

KINDS = tuple(JournalKind.values)


def funded_areas(path: str = "") -> QuerySet:
    """The communities and subdistricts funds go to (under `path`, itself included)."""
    qs = Area.objects.filter(level__in=[Level.COMMUNITY, Level.SUBDISTRICT])
    return qs.filter(subtree_q("path", path)) if path else qs


class FundFlowFacts(facts.Subject):
    name = "funds"
    model = Journal
    cohort_field = "created_at"
    counts = ("journals", *KINDS)
    amount = "fen"
    dims = {"flow": None, "ff": None}
    fields = ("created_at", "kind", "fund", "amount", "area_path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        kind = row["kind"]
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            dims=(f"flow:{kind}", f"ff:{kind}.{row['fund']}"),
            counts={"journals": 1, kind: 1},
            amount=fen(row["amount"]),
        )


class FundAllocationFacts(facts.Subject):
    name = "fund_alloc"
    model = Journal
    stock = True
    cohort_field = "created_at"
    counts = ("allocations",)
    amount = "fen"
    dims = {"fy": None}
    fields = ("created_at", "kind", "fund", "year", "amount", "area_path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["kind"] != JournalKind.ALLOCATION:
            return None
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            dims=(f"fy:{row['fund']}.{row['year']}",),
            counts={"allocations": 1},
            amount=fen(row["amount"]),
        )


class FloorFacts(facts.Subject):
    """Recorded again when the area is saved or moved, when an allocation journal of the area is
    written, when its bases are reckoned and when a kind of its district is edited."""

    name = "fund_floors"
    model = Area
    stock = True
    cohort_field = "created_at"
    counts = ("floors", "met")
    fields = ("created_at", "path")

    def source(self) -> QuerySet:
        return funded_areas()

    def extras(self, pks: list[int]) -> dict[int, tuple[int, int]]:
        return floor_counts(pks, timezone.localdate().year)

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        floors, met = extra or (0, 0)
        if not floors:
            return None  # an area without a floor adds nothing
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["path"],
            counts={"floors": floors, "met": met},
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(Journal, ("kind", "area_id"), _area_of_allocation),
            facts.Follow(FloorBasis, ("area_id",), lambda values: [values["area_id"]]),
            facts.Follow(FundKind, ("district_id",), _areas_of_district),
        ]


def floor_counts(pks: Iterable[int], year: int) -> dict[int, tuple[int, int]]:
    """(floors, met) of each community or subdistrict for `year`: the active kinds of its district with a
    rule at its level and a floor above zero on its bases for the year (rules.floor_of; no bases: zero
    households and members, as `pages.floor_rows`), and those its allocations for the year reach. Four
    queries whatever the number of areas."""
    areas = list(funded_areas().filter(pk__in=list(pks)))
    if not areas:
        return {}
    kinds: dict[tuple[str, str], list[FundKind]] = defaultdict(list)
    ruled = FundKind.objects.filter(district__path__in={a.path[:STEP] for a in areas}, active=True)
    for kind in ruled.exclude(rule=Rule.NONE).select_related("district"):
        kinds[(kind.district.path, kind.level)].append(kind)
    bases = {b.area_id: b for b in FloorBasis.objects.filter(area__in=areas, year=year)}
    allocated: dict[tuple[int, str], Decimal] = {}
    sums = (
        Journal.objects.filter(kind=JournalKind.ALLOCATION, area__in=areas, year=year)
        .order_by()
        .values("area_id", "fund")
        .annotate(s=Sum("amount"))
    )
    for s in sums:
        allocated[(s["area_id"], s["fund"])] = s["s"] or Decimal(0)
    out = {}
    for area in areas:
        basis = bases.get(area.pk)
        floors = met = 0
        for kind in kinds.get((area.path[:STEP], area.level), ()):
            floor = floor_of(kind, households=basis.households if basis else 0, members=basis.members if basis else 0)
            if floor > 0:
                floors += 1
                met += allocated.get((area.pk, kind.code), Decimal(0)) >= floor
        out[area.pk] = (floors, met)
    return out


def _area_of_allocation(values: Mapping[str, Any]) -> list[int]:
    return [values["area_id"]] if values.get("kind") == JournalKind.ALLOCATION and values.get("area_id") else []


def _areas_of_district(values: Mapping[str, Any]) -> list[int]:
    district = Area.objects.filter(pk=values.get("district_id")).values_list("path", flat=True).first()
    if not district:
        return []
    return list(funded_areas(district).values_list("pk", flat=True))


FLOWS = facts.register(FundFlowFacts())
ALLOCATED = facts.register(FundAllocationFacts())
FLOORS = facts.register(FloorFacts())
