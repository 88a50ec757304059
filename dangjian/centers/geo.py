"""The ten-minute circle's geometry: walking time, the nearest centre, coverage, and the planner.

Walking time = straight-line (haversine) distance × detour factor ÷ walking speed, so a centre
covers the points within radius = minutes × speed ÷ detour of straight line (10 × 75 ÷ 1.3 ≈ 577 m).

Neighbour searches use a shapely STRtree over points projected to metres (equirectangular around
the data's mean latitude). The projection is only used to find candidates, with a margin for its
distortion (MARGIN); every distance that decides anything is the exact haversine.

Pure functions on numpy arrays, so the bench runs them on millions of generated points.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.strtree import STRtree

EARTH_RADIUS_M = 6_371_008.8
# Candidate searches look this much further than the radius: the equirectangular projection's
# scale error stays below it within ±10° of the mean latitude (cos ratio), far more than a district.
MARGIN = 1.15


@dataclass(frozen=True)
class CircleParams:
    minutes: float = 10
    detour_factor: float = 1.3
    walk_speed: float = 75.0  # metres per minute
    persons_per_household: float = 2.6

    @property
    def radius_m(self) -> float:
        """The straight-line distance walked in `minutes`."""
        return self.minutes * self.walk_speed / self.detour_factor

    def walk_minutes(self, meters):
        return meters * self.detour_factor / self.walk_speed


def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres; scalars or numpy arrays (broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def haversine_scalar(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


class Projection:
    """Equirectangular projection to metres around a reference latitude."""

    def __init__(self, lat0: float):
        self.kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_RADIUS_M

    def points(self, lats, lngs):
        return shapely.points(np.asarray(lngs, dtype=float) * self.kx, np.asarray(lats, dtype=float) * self.ky)


class PointIndex:
    """An STRtree over a set of (lat, lng) points."""

    def __init__(self, lats, lngs, projection: Projection):
        self.lats = np.asarray(lats, dtype=float)
        self.lngs = np.asarray(lngs, dtype=float)
        self.projection = projection
        self.tree = STRtree(projection.points(self.lats, self.lngs))

    def __len__(self) -> int:
        return len(self.lats)

    def pairs_within(self, lats, lngs, radius_m: float):
        """(query index, indexed point index, metres) of every pair within radius_m, exactly."""
        lats, lngs = np.asarray(lats, dtype=float), np.asarray(lngs, dtype=float)
        if len(self) == 0 or len(lats) == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        q, t = self.tree.query(self.projection.points(lats, lngs), predicate="dwithin", distance=radius_m * MARGIN)
        d = haversine_m(lats[q], lngs[q], self.lats[t], self.lngs[t])
        keep = d <= radius_m
        return q[keep], t[keep], d[keep]

    def nearest(self, lats, lngs):
        """For each query point: the index of the nearest indexed point (in the plane) and the haversine metres."""
        lats, lngs = np.asarray(lats, dtype=float), np.asarray(lngs, dtype=float)
        q, t = self.tree.query_nearest(self.projection.points(lats, lngs), all_matches=False)
        idx = np.full(len(lats), -1, dtype=np.int64)
        idx[q] = t
        d = haversine_m(lats, lngs, self.lats[idx], self.lngs[idx])
        return idx, d


@dataclass
class Coverage:
    nearest: np.ndarray  # index of the nearest centre per estate (-1 when there are no centres)
    meters: np.ndarray  # straight-line metres to it
    minutes: np.ndarray  # walking minutes to it
    covered: np.ndarray  # bool: within the circle


def projection_for(*lat_arrays) -> Projection:
    values = [a for a in lat_arrays if len(a)]
    lat0 = float(np.mean(np.concatenate(values))) if values else 0.0
    return Projection(lat0)


def coverage(est_lats, est_lngs, cen_lats, cen_lngs, params: CircleParams) -> Coverage:
    """The nearest centre of every estate by walking time, and whether it lies within the circle."""
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    n = len(est_lats)
    if len(cen_lats) == 0:
        inf = np.full(n, np.inf)
        return Coverage(np.full(n, -1, dtype=np.int64), inf, inf.copy(), np.zeros(n, dtype=bool))
    index = PointIndex(cen_lats, cen_lngs, projection_for(est_lats, np.asarray(cen_lats, dtype=float)))
    nearest, meters = index.nearest(est_lats, est_lngs)
    # Within the radius the planar nearest may differ from the true one: take the exact minimum there.
    q, t, d = index.pairs_within(est_lats, est_lngs, params.radius_m)
    if len(q):
        order = np.lexsort((d, q))
        q, t, d = q[order], t[order], d[order]
        first = np.ones(len(q), dtype=bool)
        first[1:] = q[1:] != q[:-1]
        q, t, d = q[first], t[first], d[first]
        better = d < meters[q]
        nearest[q[better]], meters[q[better]] = t[better], d[better]
    covered = np.zeros(n, dtype=bool)
    covered[q] = True
    return Coverage(nearest, meters, params.walk_minutes(meters), covered)


def coverage_brute_force(est_lats, est_lngs, cen_lats, cen_lngs, params: CircleParams, chunk: int = 2000) -> Coverage:
    """The same answer by comparing every estate with every centre (the bench's reference)."""
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    cen_lats, cen_lngs = np.asarray(cen_lats, dtype=float), np.asarray(cen_lngs, dtype=float)
    n = len(est_lats)
    nearest = np.empty(n, dtype=np.int64)
    meters = np.empty(n)
    for s in range(0, n, chunk):
        d = haversine_m(
            est_lats[s : s + chunk, None], est_lngs[s : s + chunk, None], cen_lats[None, :], cen_lngs[None, :]
        )
        nearest[s : s + chunk] = d.argmin(axis=1)
        meters[s : s + chunk] = d.min(axis=1)
    return Coverage(nearest, meters, params.walk_minutes(meters), meters <= params.radius_m)


@dataclass(frozen=True)
class Pick:
    candidate: int  # index into the candidates
    gain: float  # residents newly covered by this pick
    covered_total: float  # residents covered after it (including those covered before planning)
    estates: tuple[int, ...]  # indices of the estates it newly covers


def candidate_sets(cand_lats, cand_lngs, est_lats, est_lngs, params: CircleParams):
    """For each candidate, the estates (indices) within the circle, as CSR arrays (indptr, indices)."""
    cand_lats, cand_lngs = np.asarray(cand_lats, dtype=float), np.asarray(cand_lngs, dtype=float)
    index = PointIndex(est_lats, est_lngs, projection_for(np.asarray(est_lats, dtype=float), cand_lats))
    q, t, _d = index.pairs_within(cand_lats, cand_lngs, params.radius_m)
    order = np.argsort(q, kind="stable")
    q, t = q[order], t[order]
    indptr = np.zeros(len(cand_lats) + 1, dtype=np.int64)
    np.add.at(indptr, q + 1, 1)
    return np.cumsum(indptr), t


def candidate_sets_brute_force(cand_lats, cand_lngs, est_lats, est_lngs, params: CircleParams, chunk: int = 500):
    cand_lats, cand_lngs = np.asarray(cand_lats, dtype=float), np.asarray(cand_lngs, dtype=float)
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    parts, counts = [], []
    for s in range(0, len(cand_lats), chunk):
        d = haversine_m(
            cand_lats[s : s + chunk, None], cand_lngs[s : s + chunk, None], est_lats[None, :], est_lngs[None, :]
        )
        rows, cols = np.nonzero(d <= params.radius_m)
        parts.append(cols)
        counts.append(np.bincount(rows, minlength=len(d)))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))]) if counts else np.zeros(1, dtype=np.int64)
    return indptr.astype(np.int64), (np.concatenate(parts) if parts else np.empty(0, dtype=np.int64))


def greedy_plan(indptr, indices, weights, already_covered, k: int) -> list[Pick]:
    """Greedy maximum coverage: k picks, each covering the most residents not yet covered.

    Lazy evaluation (coverage gains only shrink, so a stale gain is an upper bound): a candidate is
    re-scored only when it reaches the top of the heap.
    """
    weights = np.asarray(weights, dtype=float)
    covered = np.array(already_covered, dtype=bool, copy=True)
    total = float(weights[covered].sum())

    def gain_of(c: int) -> float:
        members = indices[indptr[c] : indptr[c + 1]]
        return float(weights[members[~covered[members]]].sum())

    heap = [(-gain_of(c), c) for c in range(len(indptr) - 1)]
    heapq.heapify(heap)
    picks: list[Pick] = []
    while heap and len(picks) < k:
        neg, c = heapq.heappop(heap)
        fresh = gain_of(c)
        if fresh <= 0:
            continue  # everything it would cover is covered now; drop it
        if heap and fresh < -heap[0][0] - 1e-9:
            heapq.heappush(heap, (-fresh, c))
            continue
        members = indices[indptr[c] : indptr[c + 1]]
        new = members[~covered[members]]
        covered[new] = True
        total += fresh
        picks.append(Pick(candidate=c, gain=fresh, covered_total=total, estates=tuple(int(i) for i in new)))
    return picks
