"""Grid geometry: validating boundaries, and answering which grid a point lies in.

Coordinates are WGS84; GeoJSON order is (lng, lat). Shapely works in that plane,
which is exact for the topological questions asked here (inside, touching, overlapping).

`grid_for_point` (one point) and `grids_for_points` (a batch, vectorised) answer from this
process's GridIndex without a query per call: gridcache.py keeps it current from the grid
version token (checked every GRID_INDEX_CHECK_SECONDS, at once after a grid write here, and at
once through Redis when REDIS_URL is set).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from dangjian.core.tree import ancestor_paths

from .gridcache import VersionedCopy


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


OUTSIDE = GridHit("outside", None)


@dataclass(frozen=True)
class GridChain:
    """A grid and the areas above it, as the grid index knows them (see GridIndex.chain)."""

    grid_id: int
    path: str
    community_id: int | None
    subdistrict_id: int | None
    district_id: int | None


class GridIndex:
    """An STRtree over grid polygons.

    Border rule: a point on a border shared by several grids goes to the grid with the
    smallest tree path (the one created first under the same community), so every point
    has exactly one answer and the answer does not depend on the order grids were loaded.
    """

    def __init__(
        self,
        grids: Iterable[tuple[int, str, BaseGeometry]],
        ancestors: dict[str, tuple[int, str]] | None = None,
    ):
        rows = sorted(grids, key=lambda row: row[1])
        self.ids = [row[0] for row in rows]
        self.paths = dict(zip(self.ids, (row[1] for row in rows), strict=True))
        # path -> (pk, level) of the areas above the grids, so placing a case needs no query for them.
        self.ancestors = ancestors or {}
        self.geoms = [row[2] for row in rows]
        for geom in self.geoms:
            shapely.prepare(geom)
        self._geom_array = np.array(self.geoms, dtype=object)
        # The answers a grid can give for a point only it covers, made once (lookups return them).
        self._inside_hits = np.empty(len(self.ids), dtype=object)
        self._inside_hits[:] = [GridHit("inside", grid_id, (grid_id,)) for grid_id in self.ids]
        self._edge_hits = np.empty(len(self.ids), dtype=object)
        self._edge_hits[:] = [GridHit("border", grid_id, (grid_id,)) for grid_id in self.ids]
        self.tree = STRtree(self.geoms) if self.geoms else None

    def __len__(self) -> int:
        return len(self.ids)

    def chain(self, grid_id: int) -> GridChain:
        """The grid's path and the pks of its community, subdistrict and district (None when the
        index was built without ancestors or the level is missing)."""
        path = self.paths[grid_id]
        above = {level: pk for pk, level in (self.ancestors.get(p, (None, "")) for p in ancestor_paths(path))}
        return GridChain(
            grid_id=grid_id,
            path=path,
            community_id=above.get("community"),
            subdistrict_id=above.get("subdistrict"),
            district_id=above.get("district"),
        )

    def lookup(self, lat: float, lng: float) -> GridHit:
        if self.tree is None:
            return OUTSIDE
        point = Point(lng, lat)
        # `covered_by` includes the boundary; the tree returns candidate indexes in any order.
        hits = self.tree.query(point, predicate="covered_by").tolist()
        if not hits:
            return OUTSIDE
        if len(hits) == 1:
            chosen = hits[0]
            return self._inside_hits[chosen] if self.geoms[chosen].contains(point) else self._edge_hits[chosen]
        hits.sort()
        return GridHit("border", self.ids[hits[0]], tuple(self.ids[i] for i in hits))

    def lookup_many(self, points: Iterable[tuple[float, float]]) -> list[GridHit]:
        """lookup() for many (lat, lng) points, in their order: one tree query over the whole array,
        one vectorised `contains` for the points a single grid covers, answers gathered as arrays."""
        coords = np.asarray(points if isinstance(points, np.ndarray) else list(points), dtype=float).reshape(-1, 2)
        count = len(coords)
        if self.tree is None or count == 0:
            return [OUTSIDE] * count
        pts = shapely.points(coords[:, ::-1])  # (lat, lng) rows -> (x=lng, y=lat) points
        which, grid = self.tree.query(pts, predicate="covered_by")
        order = np.lexsort((grid, which))  # by point, then by tree position (= path order)
        which, grid = which[order], grid[order]
        covering = np.bincount(which, minlength=count)
        first = np.zeros(count, dtype=np.int64)
        if len(which):
            starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
            first[which[starts]] = grid[starts]
        result = np.full(count, OUTSIDE, dtype=object)
        single = np.flatnonzero(covering == 1)
        if len(single):
            strictly = shapely.contains(self._geom_array[first[single]], pts[single])
            result[single[strictly]] = self._inside_hits[first[single[strictly]]]
            result[single[~strictly]] = self._edge_hits[first[single[~strictly]]]
        several = np.flatnonzero(covering > 1)  # shared borders and corners: few
        if len(several):
            ids = self.ids
            begins = np.searchsorted(which, several).tolist()
            ends = np.searchsorted(which, several, side="right").tolist()
            for k, begin, end in zip(several.tolist(), begins, ends, strict=True):
                candidates = tuple(ids[i] for i in grid[begin:end].tolist())
                result[k] = GridHit("border", candidates[0], candidates)
        return result.tolist()


GRID_VERSION = "territory.grids"


def load_grid_index() -> GridIndex:
    from .models import Area, Level

    rows = (
        Area.objects.filter(level=Level.GRID, boundary__isnull=False)
        .values_list("pk", "path", "boundary")
        .iterator(chunk_size=2000)
    )
    grids = [(pk, path, shape(boundary)) for pk, path, boundary in rows]
    above = Area.objects.filter(level__in=[Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY]).values_list(
        "pk", "path", "level"
    )
    return GridIndex(grids, {path: (pk, level) for pk, path, level in above.iterator(chunk_size=5000)})


# This process's index, kept current by the grid version token (see gridcache.py): checked at most
# every GRID_INDEX_CHECK_SECONDS, at once after a grid write in this process, and at once when
# another process announces one through Redis (REDIS_URL).
grid_index_copy: VersionedCopy[GridIndex] = VersionedCopy(
    GRID_VERSION, load_grid_index, check_seconds_setting="GRID_INDEX_CHECK_SECONDS"
)


def grids_changed() -> None:
    """Every write that adds, reshapes, moves or removes a grid calls this in its transaction."""
    from dangjian.core.models import bump_version

    bump_version(GRID_VERSION)
    grid_index_copy.changed()


def grid_index() -> GridIndex:
    """This thread's index, rebuilt when any grid has changed since it was built.

    No query per call: the version token is read at most every few seconds (or at once after a
    grid write here or, with Redis, anywhere), so a change made by another process or server is
    seen within GRID_INDEX_CHECK_SECONDS."""
    return grid_index_copy.get()


def grid_for_point(lat: float, lng: float) -> GridHit:
    return grid_index_copy.get().lookup(lat, lng)


def grids_for_points(points: Sequence[tuple[float, float]]) -> list[GridHit]:
    """grid_for_point for many (lat, lng) points at once, in their order (one vectorised query)."""
    return grid_index_copy.get().lookup_many(points)
