"""Placement proposals: for a person who answered, the grids where hands are still short, nearest their
home first (their registered building, else estate, else the middle of their home community), each
with the reasons a commander reads. Reads only; the commander confirms through services.placement.

A grid is short when the deepest wanted headcount covering it (its own, else its community's or
subdistrict's) is not yet met. Distances are straight lines on the map (an equirectangular
approximation, exact enough within a city). `propose_many` ranks thousands of answers at once with
one distance matrix (bench/mobilization_scale.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core.tree import STEP, subtree_q
from dangjian.people.models import Member
from dangjian.territory.models import Area, Estate, Level

from .models import Call, CallUp, Quota

EARTH_KM_PER_DEG = 111.32


@dataclass
class OpenGrid:
    pk: int
    name: str
    path: str
    lat: float | None
    lng: float | None
    unmet: int
    quota_name: str
    estates: set[int] = field(default_factory=set)


@dataclass
class Home:
    lat: float | None
    lng: float | None
    estate_id: int | None
    community_path: str
    label: str


@dataclass
class Proposal:
    grid: OpenGrid
    km: float | None
    reasons: list[str]


def _middle(row: dict) -> tuple[float | None, float | None]:
    if row.get("min_lat") is None:
        return None, None
    return (row["min_lat"] + row["max_lat"]) / 2, (row["min_lng"] + row["max_lng"]) / 2


def open_grids(callup: CallUp) -> list[OpenGrid]:
    """The grids under the call-up's wanted headcounts whose deepest covering headcount is unmet."""
    quotas = list(Quota.objects.filter(callup=callup).values("area_path", "headcount", "placed", "area__name"))
    if not quotas:
        return []
    under = Q()
    for q in quotas:
        under |= subtree_q("path", q["area_path"])
    rows = list(
        Area.objects.filter(under, level=Level.GRID).values(
            "pk", "name", "path", "min_lat", "min_lng", "max_lat", "max_lng"
        )
    )
    by_depth = sorted(quotas, key=lambda q: len(q["area_path"]), reverse=True)
    grids: list[OpenGrid] = []
    for row in rows:
        cover = next(q for q in by_depth if row["path"].startswith(q["area_path"]))
        unmet = cover["headcount"] - cover["placed"]
        if unmet <= 0:
            continue
        lat, lng = _middle(row)
        grids.append(OpenGrid(row["pk"], row["name"], row["path"], lat, lng, unmet, cover["area__name"]))
    links = Estate.grids.through.objects.filter(area_id__in=[g.pk for g in grids]).values_list("area_id", "estate_id")
    by_pk = {g.pk: g for g in grids}
    for grid_id, estate_id in links:
        by_pk[grid_id].estates.add(estate_id)
    return grids


def homes(calls: Sequence[Call]) -> dict[int, Home]:
    """Where each called person lives, by call pk (one query for members, one for communities)."""
    member_ids = [c.member_id for c in calls if c.member_id]
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=member_ids).select_related(
            "home_building", "home_estate", "home_community"
        )
    }
    paths = {c.home_path for c in calls}
    middles = {
        row["path"]: (_middle(row), row["name"])
        for row in Area.objects.filter(path__in=paths).values(
            "path", "name", "min_lat", "min_lng", "max_lat", "max_lng"
        )
    }
    found: dict[int, Home] = {}
    for call in calls:
        member = members.get(call.member_id) if call.member_id else None
        (lat, lng), label = middles.get(call.home_path, ((None, None), ""))
        estate_id = None
        if member is not None:
            estate_id = member.home_estate_id
            building, estate = member.home_building, member.home_estate
            if building is not None and building.lat is not None:
                lat, lng, label = building.lat, building.lng, str(building)
            elif estate is not None and estate.lat is not None:
                lat, lng, label = estate.lat, estate.lng, estate.name
        found[call.pk] = Home(lat, lng, estate_id, call.home_path, label)
    return found


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dx = (lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, lat2 - lat1) * EARTH_KM_PER_DEG


def _reasons(home: Home, grid: OpenGrid, km: float | None) -> list[str]:
    reasons = []
    if home.estate_id is not None and home.estate_id in grid.estates:
        reasons.append(_("住在本网格的小区"))
    elif home.community_path and grid.path.startswith(home.community_path):
        reasons.append(_("住在本社区"))
    if km is not None:
        reasons.append(_("距住处约 %(k)s 公里") % {"k": f"{km:.1f}"})
    reasons.append(_("%(q)s尚缺 %(n)s 人") % {"q": grid.quota_name, "n": grid.unmet})
    return reasons


def _rank_key(home: Home, grid: OpenGrid, km: float | None) -> tuple:
    same_estate = home.estate_id is not None and home.estate_id in grid.estates
    same_community = bool(home.community_path) and grid.path.startswith(home.community_path)
    return (not same_estate, not same_community, km if km is not None else float("inf"), -grid.unmet, grid.path)


def propose(call: Call, *, grids: list[OpenGrid] | None = None, limit: int = 5) -> list[Proposal]:
    """The ranked proposals for one answer."""
    grids = open_grids(call.callup) if grids is None else grids
    home = homes([call])[call.pk]
    scored = []
    for grid in grids:
        km = None
        if home.lat is not None and home.lng is not None and grid.lat is not None and grid.lng is not None:
            km = _km(home.lat, home.lng, grid.lat, grid.lng)
        scored.append((_rank_key(home, grid, km), grid, km))
    scored.sort(key=lambda item: item[0])
    return [Proposal(grid, km, _reasons(home, grid, km)) for _key, grid, km in scored[:limit]]


def propose_many(calls: Sequence[Call], grids: list[OpenGrid], *, limit: int = 3) -> dict[int, list[Proposal]]:
    """Proposals for many answers at once: one distance matrix (answers × open grids), the nearest
    `limit` grids per answer (a same-estate or same-community grid first, as `propose` ranks)."""
    if not calls or not grids:
        return {c.pk: [] for c in calls}
    found = homes(calls)
    glat = np.array([g.lat if g.lat is not None else np.nan for g in grids])
    glng = np.array([g.lng if g.lng is not None else np.nan for g in grids])
    hlat = np.array([found[c.pk].lat if found[c.pk].lat is not None else np.nan for c in calls])
    hlng = np.array([found[c.pk].lng if found[c.pk].lng is not None else np.nan for c in calls])
    cos = np.cos(np.radians((hlat[:, None] + glat[None, :]) / 2))
    km = np.hypot((glng[None, :] - hlng[:, None]) * cos, glat[None, :] - hlat[:, None]) * EARTH_KM_PER_DEG
    km = np.where(np.isnan(km), np.inf, km)
    # Same community first: subtract a large constant where the grid lies in the home community.
    by_community: dict[str, list[int]] = {}
    for j, g in enumerate(grids):
        by_community.setdefault(g.path[:-STEP], []).append(j)
    result: dict[int, list[Proposal]] = {}
    k = min(limit, len(grids))
    for i, call in enumerate(calls):
        home = found[call.pk]
        row = km[i].copy()
        near = by_community.get(home.community_path)
        if near:
            row[near] -= 1e6
        best = np.argpartition(row, k - 1)[:k] if k < len(grids) else np.arange(len(grids))
        best = best[np.argsort(row[best])]
        result[call.pk] = [
            Proposal(grids[j], None if math.isinf(km[i, j]) else float(km[i, j]), []) for j in best.tolist()
        ]
    return result
