"""What the service centres add to the figures store (core.figures.facts): a stock, read by the cockpit.

"centers.centers" places every open centre (党群服务中心, any level) at its area: centres; those meeting
their level's floor area (阵地建设标准: estates ≥ 300 m², communities ≥ 500 m², ...); those with every
function area their level requires; those meeting the four norms (四个规范); and those meeting all of it
(no gap: `centers.selectors.center_gaps` says the same in words). A level without a standard has no area
or function gap, as on the centres' own page. 000: 建设党群服务中心 151 个; 004: 解决了 42 个党群服务中心
不达标问题.

"centers.circle" (below) places every estate on the map at its community: placed estates, and those
within the ten-minute circle of an open centre (the circle page's answer, kept estate by estate).

A centre's save records it; a standard's save records the centres of its level; an area's move records
the centres there (territory.services.area_move: facts.record_bulk(Area, ...)).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Estate

from . import geo
from .models import CenterStandard, CircleSettings, Norm, ServiceCenter

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


# -- the ten-minute circle ---------------------------------------------------------------------------
class CircleFacts(facts.Subject):
    """ "centers.circle" places every estate with a position (territory.Estate: lat/lng) at its community:
    placed estates, and those with an open centre of their district within the circle's walk
    (centers.geo.coverage with the district's CircleSettings: the circle page's own answer). An
    estate's coverage changes with any centre near it, so the rows recorded again on a write are the
    estate itself (its own saves), the estates within the walk of a centre before and after its write
    (open, close, move), every estate of a district whose circle settings change, and the estates of
    a community that moves. The nightly stock reconciliation recomputes every estate as a check."""

    name = "centers.circle"
    model = Estate
    stock = True
    cohort_field = "created_at"
    counts = ("estates", "covered")
    fields = ("created_at", "lat", "lng", "community__path")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return covered_estates(pks)

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["lat"] is None or row["lng"] is None or not row["community__path"]:
            return None  # an estate not on the map is not in the circle (as on its page)
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["community__path"],
            counts={"estates": 1, "covered": int(bool(extra))},
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(ServiceCenter, ("lat", "lng", "area_id"), _estates_near_center),
            facts.Follow(CircleSettings, ("district_id",), _estates_of_district),
            facts.Follow(Area, ("path",), _estates_of_community),
        ]


def _params(settings_obj: CircleSettings | None) -> geo.CircleParams:
    s = settings_obj or CircleSettings()
    return geo.CircleParams(
        minutes=s.minutes,
        detour_factor=s.detour_factor,
        walk_speed=s.walk_speed,
        persons_per_household=s.persons_per_household,
    )


def _districts_of(paths: set[str]) -> dict[str, Area]:
    """The district above (or at) each path, in one query."""
    wanted = {p for path in paths for p in (*ancestor_paths(path), path)}
    districts = list(Area.objects.filter(level="district", path__in=wanted))
    return {path: d for path in paths for d in districts if path.startswith(d.path)}


def covered_estates(pks: list[int]) -> dict[int, bool]:
    """Whether each placed estate has an open centre of its district within the circle's walk: the
    estates grouped by district, each group against its district's open centres (one query each)."""
    rows = list(
        Estate.objects.filter(pk__in=pks, lat__isnull=False, lng__isnull=False).values(
            "pk", "lat", "lng", "community__path"
        )
    )
    districts = _districts_of({r["community__path"] for r in rows if r["community__path"]})
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        district = districts.get(r["community__path"] or "")
        if district is not None:
            groups.setdefault(district.pk, []).append(r)
    settings_by = {s.district_id: s for s in CircleSettings.objects.filter(district_id__in=list(groups))}
    by_pk = {d.pk: d for d in districts.values()}
    out: dict[int, bool] = {}
    for district_pk, estates in groups.items():
        centres = list(
            ServiceCenter.objects.filter(area__path__startswith=by_pk[district_pk].path, is_active=True).values_list(
                "lat", "lng"
            )
        )
        cov = geo.coverage(
            [e["lat"] for e in estates],
            [e["lng"] for e in estates],
            [c[0] for c in centres],
            [c[1] for c in centres],
            _params(settings_by.get(district_pk)),
        )
        out.update({e["pk"]: bool(cov.covered[i]) for i, e in enumerate(estates)})
    return out


def _estates_near_center(values: Mapping[str, Any]) -> list[int]:
    """The estates of the centre's district within its circle's walk of where the centre is (a box a
    little larger than the circle: the coverage itself is computed exactly in `extras`)."""
    if values.get("lat") is None or values.get("lng") is None or not values.get("area_id"):
        return []
    area = Area.objects.filter(pk=values["area_id"]).only("path").first()
    if area is None:
        return []
    district = _districts_of({area.path}).get(area.path)
    if district is None:
        return []
    radius = _params(CircleSettings.objects.filter(district=district).first()).radius_m * 1.01
    dlat = radius / 111_000
    dlng = radius / (111_000 * max(math.cos(math.radians(values["lat"])), 0.01))
    return list(
        Estate.objects.filter(
            community__path__startswith=district.path,
            lat__range=(values["lat"] - dlat, values["lat"] + dlat),
            lng__range=(values["lng"] - dlng, values["lng"] + dlng),
        ).values_list("pk", flat=True)
    )


def _estates_of_district(values: Mapping[str, Any]) -> list[int]:
    district = Area.objects.filter(pk=values["district_id"]).only("path").first()
    if district is None:
        return []
    return list(Estate.objects.filter(community__path__startswith=district.path).values_list("pk", flat=True))


def _estates_of_community(values: Mapping[str, Any]) -> list[int]:
    return list(Estate.objects.filter(community_id=values["pk"]).values_list("pk", flat=True))


CIRCLE = facts.register(CircleFacts())
