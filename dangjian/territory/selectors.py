"""Reads of the territory tree, all through visible_to()."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from dangjian.core.scoping import prefix_q, scope_for
from dangjian.core.search import name_or_pinyin_q
from dangjian.core.tree import STEP, ancestor_paths

from .models import Area, Building, Estate, Level


def area_roots_for(user: Any) -> list[Area]:
    visible = Area.objects.visible_to(user)
    top = visible.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    return list(visible.filter(depth=top).annotate(n_children=Count("children")).order_by("path"))


def area_children(area: Area, user: Any) -> list[Area]:
    return list(
        Area.objects.visible_to(user).filter(parent=area).annotate(n_children=Count("children")).order_by("path")
    )


def area_search(user: Any, query: str, *, limit: int = 30) -> list[Area]:
    return list(
        Area.objects.visible_to(user)
        .filter(name_or_pinyin_q(query, full_pinyin=True))
        .select_related("parent")
        .order_by("path")[:limit]
    )


def area_breadcrumb(area: Area, user: Any) -> list[Area]:
    """Ancestors the user may see, root first."""
    return list(area.ancestors().visible_to(user))


def estates_and_buildings_under(area: Area) -> tuple:
    """Estates and buildings of a node's communities; for a grid, those lying in it."""
    if area.level == Level.GRID:
        return Estate.objects.filter(pk__in=area.grid_estates.values("pk")), Building.objects.filter(grid=area)
    return (
        Estate.objects.filter(prefix_q("community__path", area.path)),
        Building.objects.filter(prefix_q("community__path", area.path)),
    )


def area_summary(area: Area) -> dict[str, int]:
    """Counts below a node: subdistricts, communities, grids (one query), estates, buildings."""
    by_level = dict(area.subtree(include_self=False).order_by().values_list("level").annotate(n=Count("pk")))
    estates, buildings = estates_and_buildings_under(area)
    return {
        "by_level": [(str(Level(lv).label), by_level[lv]) for lv in Level.values if by_level.get(lv)],
        "estates": estates.count(),
        "buildings": buildings.count(),
    }


def map_features(area: Area, user: Any) -> dict:
    """A GeoJSON FeatureCollection of the grids, estates and buildings under `area` that the user may see."""
    features = []
    grids = area.subtree().visible_to(user).filter(level=Level.GRID, boundary__isnull=False)
    for grid in grids.select_related("parent").order_by("path"):
        features.append(
            {
                "type": "Feature",
                "geometry": grid.boundary,
                "properties": {
                    "kind": "grid",
                    "name": grid.name,
                    "id": str(grid.public_id),
                    "community": grid.parent.name,
                },
            }
        )
    estates, buildings = estates_and_buildings_under(area)
    for estate in estates.visible_to(user).filter(lat__isnull=False).order_by("pk"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [estate.lng, estate.lat]},
                "properties": {"kind": "estate", "name": estate.name, "id": str(estate.public_id)},
            }
        )
    for building in buildings.visible_to(user).filter(lat__isnull=False).select_related("estate").order_by("pk"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [building.lng, building.lat]},
                "properties": {"kind": "building", "name": str(building), "id": str(building.public_id)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


FILTER_OPTIONS = 300  # a list's place filter offers at most this many places (a province has 50,000 grids)


def filter_area_options(user: Any, areas: Any, chosen: Area | None) -> list[Area]:
    """The places a list's place filter offers from `areas` (what its form accepts): two levels below
    the viewer's own (a district admin: its subdistricts and communities; a community worker: its
    grids), and the one chosen (a link may carry any place in scope)."""
    path = scope_for(user).area_path
    depth = len(path) // STEP if path else 1
    options = list(
        areas.filter(depth__lte=depth + 2).order_by("path").only("public_id", "name", "path")[:FILTER_OPTIONS]
    )
    if chosen is not None and all(a.pk != chosen.pk for a in options):
        options.append(chosen)
    return options


AREA_LIST_ORDER = ("path",)


def area_list(user: Any, *, area: Area | None = None, level: str = "", q: str = "") -> Any:
    """The areas in the user's scope at `area` and under it (the node itself included, as the cockpit's
    "territory.areas" counts it), of one level, matching a name or pinyin."""
    areas = Area.objects.visible_to(user)
    if area is not None:
        areas = areas.filter(prefix_q("path", area.path))
    if level:
        areas = areas.filter(level=level)
    if q:
        areas = areas.filter(name_or_pinyin_q(q, full_pinyin=True))
    return areas


def parent_chains(areas: list[Area], user: Any) -> dict[int, list[Area]]:
    """Each area's ancestors the user may see, root first: one query for a page of areas."""
    wanted = {p for area in areas for p in ancestor_paths(area.path)}
    found = {
        a.path: a
        for a in Area.objects.visible_to(user).filter(path__in=sorted(wanted)).only("public_id", "name", "path")
    }
    return {area.pk: [found[p] for p in ancestor_paths(area.path) if p in found] for area in areas}
