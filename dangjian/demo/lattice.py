"""Grid boundaries on a jittered lattice, for demo and benchmark data.

Every lattice vertex is computed once and shared by all the cells that meet at it, so
cells (and blocks of cells) tile the plane: neighbours share borders, and no two overlap.
Only the standard library is used here, so the benchmarks can use it without a database.
"""

from __future__ import annotations

import random

# Decimal places kept in coordinates: 6 is about 0.1 m, plenty for a grid border.
PRECISION = 6


class Lattice:
    """A (cols × rows)-cell lattice of slightly jittered vertices, in WGS84 (lng, lat).

    Cell (i, j) is the i-th column from the west and the j-th row from the south. Each vertex
    moves at most `jitter` of a cell in each axis, which keeps every cell a convex quadrilateral
    and every block of cells a simple polygon.
    """

    def __init__(
        self,
        *,
        origin_lng: float,
        origin_lat: float,
        cell_lng: float,
        cell_lat: float,
        cols: int,
        rows: int,
        rng: random.Random,
        jitter: float = 0.18,
    ):
        if not 0 <= jitter < 0.25:
            raise ValueError("jitter must stay below a quarter of a cell")
        self.cols, self.rows = cols, rows
        self.origin_lng, self.origin_lat = origin_lng, origin_lat
        self.cell_lng, self.cell_lat = cell_lng, cell_lat
        lngs: list[float] = []
        lats: list[float] = []
        for i in range(cols + 1):
            for j in range(rows + 1):
                lngs.append(round(origin_lng + (i + rng.uniform(-jitter, jitter)) * cell_lng, PRECISION))
                lats.append(round(origin_lat + (j + rng.uniform(-jitter, jitter)) * cell_lat, PRECISION))
        self._lngs, self._lats = lngs, lats

    def vertex(self, i: int, j: int) -> tuple[float, float]:
        k = i * (self.rows + 1) + j
        return (self._lngs[k], self._lats[k])

    def block_ring(self, i0: int, j0: int, i1: int, j1: int) -> list[list[float]]:
        """The closed, counter-clockwise outer ring of the block of cells [i0, i1) × [j0, j1)."""
        if not (0 <= i0 < i1 <= self.cols and 0 <= j0 < j1 <= self.rows):
            raise ValueError(f"block out of the lattice: {(i0, j0, i1, j1)}")
        points = [self.vertex(i, j0) for i in range(i0, i1)]  # south edge, west to east
        points += [self.vertex(i1, j) for j in range(j0, j1)]  # east edge, south to north
        points += [self.vertex(i, j1) for i in range(i1, i0, -1)]  # north edge, east to west
        points += [self.vertex(i0, j) for j in range(j1, j0, -1)]  # west edge, north to south
        ring = [[lng, lat] for lng, lat in points]
        ring.append(list(ring[0]))
        return ring

    def block_polygon(self, i0: int, j0: int, i1: int, j1: int) -> dict:
        """The block of cells [i0, i1) × [j0, j1) as a GeoJSON Polygon."""
        return {"type": "Polygon", "coordinates": [self.block_ring(i0, j0, i1, j1)]}

    def cell_polygon(self, i: int, j: int) -> dict:
        return self.block_polygon(i, j, i + 1, j + 1)

    def point(self, i: int, j: int, u: float, v: float) -> tuple[float, float]:
        """The point at (u, v) ∈ (0, 1)² of cell (i, j), by bilinear interpolation, as (lat, lng).

        Strictly inside the cell for 0 < u, v < 1 (the cell is convex).
        """
        sw, se = self.vertex(i, j), self.vertex(i + 1, j)
        nw, ne = self.vertex(i, j + 1), self.vertex(i + 1, j + 1)
        lng = (1 - u) * (1 - v) * sw[0] + u * (1 - v) * se[0] + (1 - u) * v * nw[0] + u * v * ne[0]
        lat = (1 - u) * (1 - v) * sw[1] + u * (1 - v) * se[1] + (1 - u) * v * nw[1] + u * v * ne[1]
        return (round(lat, PRECISION), round(lng, PRECISION))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lng, min_lat, max_lng, max_lat) of all vertices."""
        return (min(self._lngs), min(self._lats), max(self._lngs), max(self._lats))


def polygon_bbox(polygon: dict) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng) of a GeoJSON Polygon's outer ring."""
    ring = polygon["coordinates"][0]
    lngs = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lats), min(lngs), max(lats), max(lngs))
