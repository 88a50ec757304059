"""What the service centres add to the figures store (core.figures.facts): a stock, read by the cockpit.

"centers.centers" places every open centre (党群服务中心, any level) at its area: centres; those meeting
their level's floor area (阵地建设标准: estates ≥ 300 m², communities ≥ 500 m², ...); those with every
function area their level requires; those meeting the four norms (四个规范); and those meeting all of it
(no gap: `centers.selectors.center_gaps` says the same in words). A level without a standard has no area
or function gap, as on the centres' own page. 000: 建设党群服务中心 151 个; 004: 解决了 42 个党群服务中心
不达标问题.

Not here: the ten-minute circle's coverage (the share of estates and residents within a walk of a
centre). It is geometry over every centre of the district at once (centers.selectors.circle_for): an
estate's coverage changes with any centre near it, so it is not a part of one row and the store
cannot hold it honestly; the circle has its own page.

A centre's save records it; a standard's save records the centres of its level; an area's move records
the centres there (territory.services.area_move: facts.record_bulk(Area, ...)).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.territory.models import Area

from .models import CenterStandard, Norm, ServiceCenter

NORMS = tuple(Norm.values)


def standards_now() -> dict[str, tuple[int, list[str]]]:
    """Each level's (minimum floor area, required function areas): the stored standards, else the
    defaults the centres' pages would store on first use."""
    stored = {s.level: (s.min_area, list(s.required_functions or [])) for s in CenterStandard.objects.all()}
    if stored:
        return stored
    from .services.centres import DEFAULT_STANDARDS

    return {level: (area, list(functions)) for level, (area, functions) in DEFAULT_STANDARDS.items()}


def center_counts(
    *, level: str, floor_area: int, functions: list[str], norms: dict, standards: dict[str, tuple[int, list[str]]]
) -> dict[str, int]:
    min_area, required = standards.get(level, (0, []))
    area_met = floor_area >= min_area
    functions_met = all(f in (functions or []) for f in required)
    norms_met = all((norms or {}).get(code) for code in NORMS)
    return {
        "centers": 1,
        "area_met": int(area_met),
        "functions_met": int(functions_met),
        "norms_met": int(norms_met),
        "standard_met": int(area_met and functions_met and norms_met),
    }


class CenterFacts(facts.Subject):
    name = "centers.centers"
    model = ServiceCenter
    stock = True
    cohort_field = "created_at"
    counts = ("centers", "area_met", "functions_met", "norms_met", "standard_met")
    dims = {"level": None}
    fields = ("created_at", "is_active", "level", "floor_area", "functions", "norms", "area__path")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        standards = standards_now()
        return dict.fromkeys(pks, standards)

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if not row["is_active"] or not row["area__path"]:
            return None
        counts = center_counts(
            level=row["level"],
            floor_area=row["floor_area"] or 0,
            functions=row["functions"],
            norms=row["norms"],
            standards=extra if extra is not None else standards_now(),
        )
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area__path"],
            dims=(f"level:{row['level']}",),
            counts=counts,
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(CenterStandard, ("level",), _centers_of_level),
            facts.Follow(Area, ("path",), _centers_of_area),
        ]


def _centers_of_level(values: Mapping[str, Any]) -> list[int]:
    return list(ServiceCenter.objects.filter(level=values["level"]).values_list("pk", flat=True))


def _centers_of_area(values: Mapping[str, Any]) -> list[int]:
    return list(ServiceCenter.objects.filter(area_id=values["pk"]).values_list("pk", flat=True))


CENTERS = facts.register(CenterFacts())
