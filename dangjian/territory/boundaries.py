"""Where boundaries may lie, checked on every write of one.

Subdistricts, communities and grids may carry a boundary (BOUNDARY_LEVELS). The rules:
- a drawn area lies inside every drawn area above it: grid ⊂ community ⊂ subdistrict;
- drawing or redrawing a subdistrict or community keeps every drawn area below it inside;
- no grid overlaps another grid, whichever community it belongs to; otherwise a worker could
  draw a grid over a neighbouring community and have its residents' cases filed under their own.
Shared borders are fine: OVERLAP_TOLERANCE (about 1 m²) absorbs the float noise on them.

The services (area_create, area_update, area_move, the GeoJSON imports) and the admin form all
call `check_boundaries` (or `validate_boundary`, its one-area form) and `check_move`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from dangjian.core.tree import STEP, ancestor_paths

from .geo import OVERLAP_TOLERANCE, format_square_metres, outside_area, overlap_area, parse_boundary
from .models import BOUNDARY_LEVELS, Area, Level


@dataclass(frozen=True)
class Drawn:
    """A boundary about to be written: the area's name, its shape, and the area if it exists."""

    name: str
    geom: BaseGeometry
    area: Area | None = None


def lock_district(node: Area) -> None:
    """Serialize boundary writes in a district, so two imports cannot both pass and then overlap."""
    list(Area.objects.select_for_update().filter(path=node.path[:STEP]).values_list("pk", flat=True))


def _m2(area_deg2: float, where: BaseGeometry) -> str:
    min_y, max_y = where.bounds[1], where.bounds[3]
    return format_square_metres(area_deg2, (min_y + max_y) / 2)


def _grid_label(community_name: str, grid_name: str) -> str:
    return _("%(community)s · %(grid)s") % {"community": community_name, "grid": grid_name}


def _describe(level: str, name: str, community_name: str = "") -> str:
    """社区「婆石社区」, 网格「婆石社区 · 婆石第一网格」: how a message names an area."""
    if level == Level.GRID and community_name:
        name = _grid_label(community_name, name)
    return _("%(level)s「%(name)s」") % {"level": Level(level).label, "name": name}


def _describe_node(node: Area) -> str:
    parent = node.parent if node.level == Level.GRID else None
    return _describe(node.level, node.name, getattr(parent, "name", ""))


def drawn_containers(parent: Area | None) -> list[tuple[Area, BaseGeometry]]:
    """`parent` and the areas above it that carry a boundary, nearest first, shapes prepared."""
    if parent is None:
        return []
    paths = [*ancestor_paths(parent.path), parent.path]
    result = []
    for node in Area.objects.filter(path__in=paths, boundary__isnull=False).order_by("-depth"):
        geom = shape(node.boundary)
        shapely.prepare(geom)
        result.append((node, geom))
    return result


def _outside_errors(items: Sequence[tuple[str, BaseGeometry]], containers: list[tuple[Area, BaseGeometry]]) -> list:
    errors = []
    for what, geom in items:
        for node, container in containers:
            outside = outside_area(geom, container)
            if outside > OVERLAP_TOLERANCE:
                errors.append(
                    _("%(what)s有约 %(area)s 平方米在%(container)s的边界之外，请调整后再保存。")
                    % {"what": what, "area": _m2(outside, geom), "container": _describe_node(node)}
                )
                break  # the nearest container it leaves says enough
    return errors


def _holding_errors(area: Area, geom: BaseGeometry) -> list[str]:
    """The drawn areas below `area` that its new boundary would leave partly outside."""
    shapely.prepare(geom)
    below = area.subtree(include_self=False).filter(boundary__isnull=False).select_related("parent")
    errors = []
    for node in below.only("level", "name", "boundary", "parent__name"):
        inner = shape(node.boundary)
        outside = outside_area(inner, geom)
        if outside > OVERLAP_TOLERANCE:
            errors.append(
                _("%(what)s有约 %(area)s 平方米在%(container)s的新边界之外，请调整后再保存。")
                % {"what": _describe_node(node), "area": _m2(outside, inner), "container": _describe_node(area)}
            )
    return errors


def _grids_near(geoms: Sequence[BaseGeometry], exclude: Collection[int]) -> list[tuple[str, BaseGeometry]]:
    """Drawn grids, of any community, whose bounding box meets the candidates' (one query)."""
    bounds = [g.bounds for g in geoms]
    min_x, min_y = min(b[0] for b in bounds), min(b[1] for b in bounds)
    max_x, max_y = max(b[2] for b in bounds), max(b[3] for b in bounds)
    near = Q(min_lng__lte=max_x, max_lng__gte=min_x, min_lat__lte=max_y, max_lat__gte=min_y)
    rows = (
        Area.objects.filter(near | Q(min_lng__isnull=True), level=Level.GRID, boundary__isnull=False)
        .exclude(pk__in=exclude)
        .order_by("path")
        .values_list("name", "parent__name", "boundary")
    )
    return [(_grid_label(community, name), shape(boundary)) for name, community, boundary in rows]


def _overlap_message(name: str, other: str, area_deg2: float, where: BaseGeometry) -> str:
    return _("网格「%(grid)s」与「%(other)s」重叠约 %(area)s 平方米，请调整后再保存。") % {
        "grid": name,
        "other": other,
        "area": _m2(area_deg2, where),
    }


def _grid_overlap_errors(items: Sequence[Drawn], community: Area, exclude: Collection[int]) -> list[str]:
    errors = []
    geoms = [item.geom for item in items]
    for geom in geoms:
        shapely.prepare(geom)
    existing = _grids_near(geoms, exclude)
    if existing:
        tree = STRtree([geom for _label, geom in existing])
        for item in items:
            for k in sorted(int(k) for k in tree.query(item.geom, predicate="intersects")):
                label, other = existing[k]
                area = overlap_area(item.geom, other)
                if area > OVERLAP_TOLERANCE:
                    errors.append(_overlap_message(_grid_label(community.name, item.name), label, area, other))
    if len(items) > 1:  # the new grids among themselves
        tree = STRtree(geoms)
        for i, item in enumerate(items):
            for j in sorted(int(k) for k in tree.query(item.geom, predicate="intersects")):
                area = overlap_area(item.geom, geoms[j]) if j > i else 0.0
                if area > OVERLAP_TOLERANCE:
                    label = _grid_label(community.name, items[j].name)
                    errors.append(_overlap_message(_grid_label(community.name, item.name), label, area, geoms[j]))
    return errors


def check_boundaries(
    *, level: str, parent: Area | None, items: Sequence[Drawn], replacing: Collection[int] = ()
) -> None:
    """Refuse, listing every problem, boundaries about to be written for areas of `level` under `parent`.

    `replacing`: grids whose boundaries the same write replaces (an import's same-name grids).
    """
    if level not in BOUNDARY_LEVELS:
        raise ValidationError(_("只有街道、社区和网格可以绘制边界。"))
    if not items:
        return
    community_name = parent.name if parent is not None and level == Level.GRID else ""
    errors = _outside_errors(
        [(_describe(level, item.name, community_name), item.geom) for item in items], drawn_containers(parent)
    )
    if level == Level.GRID:
        exclude = {*replacing, *(item.area.pk for item in items if item.area is not None and item.area.pk)}
        errors += _grid_overlap_errors(items, parent, exclude) if parent is not None else []
    else:
        for item in items:
            if item.area is not None and item.area.pk:
                errors += _holding_errors(item.area, item.geom)
    if errors:
        raise ValidationError(errors)


def validate_boundary(*, area: Area, parent: Area | None, boundary: Any) -> None:
    """Check one area's new boundary; errors come keyed by the `boundary` field."""
    if area.level not in BOUNDARY_LEVELS:
        raise ValidationError({"boundary": _("只有街道、社区和网格可以绘制边界。")})
    try:
        geom = parse_boundary(boundary, label=_describe(area.level, area.name))
        check_boundaries(level=area.level, parent=parent, items=[Drawn(area.name, geom, area)])
    except ValidationError as exc:
        raise ValidationError({"boundary": exc.messages}) from exc


def check_move(*, area: Area, new_parent: Area) -> None:
    """Moving `area` under `new_parent` keeps every drawn area of its subtree inside the new containers."""
    containers = drawn_containers(new_parent)
    if not containers:
        return
    nodes = area.subtree().filter(boundary__isnull=False).select_related("parent")
    items = [(_describe_node(node), shape(node.boundary)) for node in nodes]
    errors = _outside_errors(items, containers)
    if errors:
        raise ValidationError({"parent": errors})
