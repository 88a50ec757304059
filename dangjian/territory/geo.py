"""Grid geometry: validating boundaries, and answering which grid a point lies in.

Coordinates are WGS84; GeoJSON order is (lng, lat). Shapely works in that plane,
which is exact for the topological questions asked here (inside, touching, overlapping).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from shapely.validation import explain_validity


def parse_boundary(geojson: Any, *, label: str = "") -> BaseGeometry:
    """Turn a GeoJSON geometry (or Feature) into a valid Polygon/MultiPolygon, or raise a clear error."""
    where = f"{label}：" if label else ""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("%(where)s边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。") % {"where": where})
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ValidationError(_("%(where)s边界无法解析：%(error)s") % {"where": where, "error": exc}) from exc
    if geom.is_empty:
        raise ValidationError(_("%(where)s边界为空。") % {"where": where})
    min_x, min_y, max_x, max_y = geom.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise ValidationError(_("%(where)s坐标超出经纬度范围（应为 WGS84 经度、纬度）。") % {"where": where})
    if not geom.is_valid:
        raise ValidationError(
            _("%(where)s边界无效（%(reason)s），请检查是否自相交。")
            % {"where": where, "reason": explain_validity(geom)}
        )
    return geom


# Interiors meeting over less than this many square degrees (about 1 m²) are float noise on a
# shared border, as GIS exports produce, not an overlap.
OVERLAP_TOLERANCE = 1e-10


def overlap_area(a: BaseGeometry, b: BaseGeometry) -> float:
    """The area (square degrees) where the interiors meet; 0 when they only share a border or a corner."""
    return a.intersection(b).area if a.relate_pattern(b, "T********") else 0.0


def overlaps(a: BaseGeometry, b: BaseGeometry) -> bool:
    """True when the interiors meet. Grids that only share a border or a corner do not overlap."""
    return overlap_area(a, b) > OVERLAP_TOLERANCE


def outside_area(inner: BaseGeometry, container: BaseGeometry) -> float:
    """The area (square degrees) of `inner` that lies outside `container`."""
    return 0.0 if container.covers(inner) else inner.difference(container).area


# Metres per degree of latitude on a sphere of the Earth's mean radius (6,371,008.8 m).
METRES_PER_DEGREE = math.pi * 6_371_008.8 / 180


def square_metres(area_deg2: float, lat: float) -> float:
    """An area in square degrees, in square metres at latitude `lat`.

    Approximate: a degree of longitude is taken as cos(lat) of a degree of latitude over the whole
    shape, which is off by well under 1 % at the size of a grid or a subdistrict; enough to say
    how large an overlap is.
    """
    return area_deg2 * METRES_PER_DEGREE**2 * math.cos(math.radians(lat))


def format_square_metres(area_deg2: float, lat: float) -> str:
    """ "1,234" (square metres, rounded; at least 1, as anything reported is above the tolerance)."""
    return f"{max(1, round(square_metres(area_deg2, lat))):,}"


@dataclass(frozen=True)
class GridHit:
    """The answer of grid_for_point.

    status: "inside" (strictly inside one grid), "border" (on the border of several grids or the
    outer edge of one: the rule below picked one), or "outside" (in no grid: grid_id is None).
    candidates: every grid covering the point, in path order.
    """

    status: str
    grid_id: int | None
    candidates: tuple[int, ...] = ()


class GridIndex:
    """An STRtree over grid polygons.

    Border rule: a point on a border shared by several grids goes to the grid with the
    smallest tree path (the one created first under the same community), so every point
    has exactly one answer and the answer does not depend on the order grids were loaded.
    """

    def __init__(self, grids: Iterable[tuple[int, str, BaseGeometry]]):
        rows = sorted(grids, key=lambda row: row[1])
        self.ids = [row[0] for row in rows]
        self.geoms = [row[2] for row in rows]
        for geom in self.geoms:
            shapely.prepare(geom)
        self.tree = STRtree(self.geoms) if self.geoms else None

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, lat: float, lng: float) -> GridHit:
        if self.tree is None:
            return GridHit("outside", None)
        point = Point(lng, lat)
        # `covered_by` includes the boundary; the tree returns candidate indexes in any order.
        hits = sorted(int(i) for i in self.tree.query(point, predicate="covered_by"))
        if not hits:
            return GridHit("outside", None)
        chosen = hits[0]
        if len(hits) == 1 and self.geoms[chosen].contains(point):
            return GridHit("inside", self.ids[chosen], (self.ids[chosen],))
        return GridHit("border", self.ids[chosen], tuple(self.ids[i] for i in hits))

    def lookup_many(self, points: Iterable[tuple[float, float]]) -> list[GridHit]:
        return [self.lookup(lat, lng) for lat, lng in points]


_local = threading.local()


GRID_VERSION = "territory.grids"


def grids_changed() -> None:
    """Every write that adds, reshapes, moves or removes a grid calls this in its transaction."""
    from dangjian.core.models import bump_version

    bump_version(GRID_VERSION)


def load_grid_index() -> GridIndex:
    from .models import Area, Level

    rows = (
        Area.objects.filter(level=Level.GRID, boundary__isnull=False)
        .values_list("pk", "path", "boundary")
        .iterator(chunk_size=2000)
    )
    return GridIndex((pk, path, shape(boundary)) for pk, path, boundary in rows)


def grid_index() -> GridIndex:
    """This thread's index, rebuilt when any grid boundary has changed since it was built.

    The version is a counter in the database (one tiny query), so a change made by any
    process or server is seen at the next lookup, with or without a shared cache.
    """
    from dangjian.core.models import read_version

    version = read_version(GRID_VERSION)
    if getattr(_local, "version", None) != version:
        _local.index = load_grid_index()
        _local.version = version
    return _local.index


def grid_for_point(lat: float, lng: float) -> GridHit:
    return grid_index().lookup(lat, lng)
