"""The ten-minute circle's geometry: walking time, the nearest centre, coverage, and the planner.

Walking time = straight-line (haversine) distance × detour factor ÷ walking speed, so a centre
covers the points within radius = minutes × speed ÷ detour of straight line (10 × 75 ÷ 1.3 ≈ 577 m).

Neighbour searches are a numpy grid hash, with no distortion margin to trust: every point becomes a
3-D vector on the sphere (metres), turned so that the data's mean direction is the z axis (`Frame`).
The chord between two such vectors orders pairs exactly as the haversine does (h = 2R·asin(c / 2R)),
and its (x, y) part — an orthographic projection — is never longer than the chord, so the cells of a
grid over (x, y) near a point hold every point within a given chord of it (the rare estate with no
centre in the 5 × 5 cells around it is answered by a k-d tree of the centres in 3-D). Chords only find
the candidates (looking SLACK_M further for rounding) and settle the pairs more than SLACK_M inside or
outside the radius; every distance reported or compared is the exact haversine, computed by the same
function as the brute-force references, so the answers are the brute force's: the nearest centre of
every estate (the lowest index among equally near ones), the estates within the radius (a distance
equal to the radius is inside), and the greedy plan's picks.

Pure functions on numpy arrays, so the bench runs them on millions of generated points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
# Chord searches look this much further than needed (metres), far above the rounding of a chord
# (about 1e-8 m on vectors of 6.4e6 m), so no pair is lost to rounding; the haversine decides.
SLACK_M = 1e-3
# A grid has at most this many cells in a dense table (beyond it, a sorted table of occupied cells).
DENSE_CELLS = 1 << 22
# Queries per chunk of pair expansion: bounds the memory of the pair arrays.
CHUNK = 16_384
# The nearest search's first grid: this many times the points' mean spacing.
NEAREST_CELL = 0.7


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


def chord_m(meters: float) -> float:
    """The chord (straight line through the Earth) of a great-circle distance."""
    return 2 * EARTH_RADIUS_M * math.sin(min(meters, math.pi * EARTH_RADIUS_M) / (2 * EARTH_RADIUS_M))


def _unit_vectors(lats, lngs):
    p, lam = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lngs, dtype=float))
    c = np.cos(p)
    return c * np.cos(lam), c * np.sin(lam), np.sin(p)


class Frame:
    """Points as 3-D vectors in metres, turned so that the mean direction of the given points is +z:
    (x, y) is the orthographic projection around it (never longer than the chord), z the rest.
    Any turn gives exact answers; a central one only keeps the grids small."""

    def __init__(self, *lat_lng_pairs):
        total = np.zeros(3)
        for lats, lngs in lat_lng_pairs:
            step = max(1, len(lats) // 4096)  # a sample is as central as all of them
            if len(lats):
                total += [v.sum() for v in _unit_vectors(lats[::step], lngs[::step])]
        norm = float(np.linalg.norm(total))
        n = total / norm if norm > 1e-9 else np.array([0.0, 0.0, 1.0])
        helper = np.array([0.0, 0.0, 1.0]) if abs(n[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        e1 = np.cross(helper, n)
        e1 /= np.linalg.norm(e1)
        self.basis = np.stack([e1, np.cross(n, e1), n]) * EARTH_RADIUS_M

    def xyz(self, lats, lngs) -> np.ndarray:
        """A (3, n) array: x, y, z in metres."""
        u = np.stack(_unit_vectors(lats, lngs)) if len(lats) else np.empty((3, 0))
        return self.basis @ u


def _ragged(starts, counts):
    """The positions starts[i] … starts[i] + counts[i] − 1 for every i, concatenated in order."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total, dtype=np.int64)


def _ring(k: int) -> np.ndarray:
    """The (dx, dy) cell offsets at Chebyshev distance k, as a (m, 2) array."""
    if k == 0:
        return np.zeros((1, 2), dtype=np.int64)
    r = np.arange(-k, k + 1)
    dx, dy = np.meshgrid(r, r, indexing="ij")
    on = np.maximum(abs(dx), abs(dy)) == k
    return np.stack([dx[on], dy[on]], axis=1)


class _Grid:
    """Points bucketed in square cells of `cell` metres over (x, y), numbered from `origin`, with
    `pad` empty cells around so that rings up to `pad` around a point's cell need no bounds check."""

    def __init__(self, pts: np.ndarray, cell: float, origin: tuple[float, float], size: tuple[int, int], pad: int):
        self.cell, self.origin, self.pad = cell, origin, pad
        self.shape = (size[0] + 2 * pad, size[1] + 2 * pad)
        cx, cy = self.cells(pts[0], pts[1])
        keys = cx * self.shape[1] + cy
        self.order = np.argsort(keys)
        self.pts = pts[:, self.order]  # sorted by cell
        keys = keys[self.order]
        self.bounds = (int(cx.min()), int(cx.max()), int(cy.min()), int(cy.max()))
        if self.shape[0] * self.shape[1] <= DENSE_CELLS:
            self.counts = np.bincount(keys, minlength=self.shape[0] * self.shape[1])
            self.first = np.cumsum(self.counts) - self.counts
            self.keys = None
        else:
            self.keys, self.first, self.counts = np.unique(keys, return_index=True, return_counts=True)

    def cells(self, x, y):
        """The (padded) cell coordinates of points inside the grid's extent."""
        cx = np.floor((x - self.origin[0]) / self.cell).astype(np.int64)
        cy = np.floor((y - self.origin[1]) / self.cell).astype(np.int64)
        p = self.pad
        return np.clip(cx, 0, self.shape[0] - 2 * p - 1) + p, np.clip(cy, 0, self.shape[1] - 2 * p - 1) + p

    def lookup(self, cx, cy):
        """(first position, count) of the points in each cell, for cells within `pad` of the extent."""
        keys = cx * self.shape[1] + cy
        if self.keys is None:
            return self.first[keys], self.counts[keys]
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.first[at], np.where(self.keys[at] == keys, self.counts[at], 0)

    def pairs(self, qcx, qcy, offsets):
        """For queries in cells (qcx, qcy): (query, sorted point position) of every point in the cells
        at `offsets`, grouped by query in order, and the number of pairs of each query."""
        cx = (qcx[:, None] + offsets[:, 0]).ravel()
        cy = (qcy[:, None] + offsets[:, 1]).ravel()
        first, counts = self.lookup(cx, cy)
        per_query = counts.reshape(len(qcx), len(offsets)).sum(axis=1)
        owner = np.repeat(np.arange(len(qcx)), per_query)
        return owner, _ragged(first, counts), per_query


def _extent(*point_sets: np.ndarray):
    xs = [p[0] for p in point_sets if p.shape[1]]
    ys = [p[1] for p in point_sets if p.shape[1]]
    x0, x1 = min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)
    y0, y1 = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
    return x0, y0, x1 - x0, y1 - y0


def _grid_size(width: float, height: float, cell: float) -> tuple[int, int]:
    return int(width // cell) + 1, int(height // cell) + 1


def _chord2(q: np.ndarray, qi, p: np.ndarray, pi):
    return (q[0, qi] - p[0, pi]) ** 2 + (q[1, qi] - p[1, pi]) ** 2 + (q[2, qi] - p[2, pi]) ** 2


def _group_min(values, per_group):
    """The minimum of each group of consecutive values (inf for an empty group)."""
    out = np.full(len(per_group), np.inf)
    some = per_group > 0
    if some.any():
        starts = np.concatenate([[0], np.cumsum(per_group)[:-1]])[some]
        out[some] = np.minimum.reduceat(values, starts)
    return out


class _KDTree:
    """A k-d tree of 3-D points (leaves of at most LEAF points), searched for many queries at once."""

    LEAF = 16

    def __init__(self, pts: np.ndarray):
        self.lo, self.hi, self.left, self.right, self.start, self.end = [], [], [], [], [], []
        self.perm: list[np.ndarray] = []
        self._placed = 0
        self._build(pts, np.arange(pts.shape[1]))
        self.lo, self.hi = np.array(self.lo), np.array(self.hi)  # (nodes, 3)
        self.left, self.right = np.array(self.left), np.array(self.right)
        self.start, self.end = np.array(self.start), np.array(self.end)
        self.order = np.concatenate(self.perm)
        self.pts = pts[:, self.order]

    def _build(self, pts, idx) -> int:
        node = len(self.lo)
        sub = pts[:, idx]
        self.lo.append(sub.min(axis=1))
        self.hi.append(sub.max(axis=1))
        self.left.append(-1)
        self.right.append(-1)
        self.start.append(self._placed)
        self.end.append(self._placed)
        if len(idx) <= self.LEAF:
            self.perm.append(idx)
            self._placed += len(idx)
            self.end[node] = self._placed
            return node
        dim = int(np.argmax(self.hi[node] - self.lo[node]))
        mid = len(idx) // 2
        split = np.argpartition(sub[dim], mid)
        self.left[node] = self._build(pts, idx[split[:mid]])
        self.right[node] = self._build(pts, idx[split[mid:]])
        return node

    def _box_distance(self, q, qi, nodes):
        d2 = np.zeros(len(qi))
        for k in range(3):
            v = q[k, qi]
            gap = np.maximum(self.lo[nodes, k] - v, 0) + np.maximum(v - self.hi[nodes, k], 0)
            d2 += gap * gap
        return np.sqrt(d2)

    def _leaf_pairs(self, q, qi, leaves):
        counts = self.end[leaves] - self.start[leaves]
        pos = _ragged(self.start[leaves], counts)
        owner = np.repeat(qi, counts)
        return owner, pos, np.sqrt(_chord2(q, owner, self.pts, pos))

    def near(self, q, ids):
        """(query, point, chord) of every point within SLACK_M of each query's nearest (and maybe more)."""
        # An upper bound first: the leaf reached by always stepping to the nearer child.
        node = np.zeros(len(ids), dtype=np.int64)
        while True:
            inner = np.flatnonzero(self.left[node] >= 0)
            if not len(inner):
                break
            lft, rgt = self.left[node[inner]], self.right[node[inner]]
            nearer = self._box_distance(q, ids[inner], lft) <= self._box_distance(q, ids[inner], rgt)
            node[inner] = np.where(nearer, lft, rgt)
        upper = np.full(q.shape[1], np.inf)
        owner, _pos, d = self._leaf_pairs(q, ids, node)
        np.minimum.at(upper, owner, d)
        # Then every node whose box lies within the bound (which tightens at each leaf reached).
        found_q, found_t, found_d = [], [], []
        qi, nodes = ids, np.zeros(len(ids), dtype=np.int64)
        while len(qi):
            leaf = self.left[nodes] < 0
            owner, pos, d = self._leaf_pairs(q, qi[leaf], nodes[leaf])
            np.minimum.at(upper, owner, d)
            keep = d <= upper[owner] + SLACK_M
            found_q.append(owner[keep])
            found_t.append(self.order[pos[keep]])
            found_d.append(d[keep])
            inner_q, inner = qi[~leaf], nodes[~leaf]
            qi, nodes = np.concatenate([inner_q, inner_q]), np.concatenate([self.left[inner], self.right[inner]])
            within = self._box_distance(q, qi, nodes) <= upper[qi] + 2 * SLACK_M
            qi, nodes = qi[within], nodes[within]
        return np.concatenate(found_q), np.concatenate(found_t), np.concatenate(found_d)


NEAREST_RINGS = 3  # rings 0, 1, 2 around a query's cell on the grid of the nearest search


def _nearest_pairs(q: np.ndarray, p: np.ndarray):
    """For every query vector, the points whose chord is within SLACK_M of its nearest: (query, point).

    Rings of cells around each query, on a grid of about the points' mean spacing, until the cells
    searched reach further (in the plane, so in chord) than the nearest found so far. The few queries
    still open after three rings (far from every point: none in 5 × 5 cells around them) are answered
    by an STRtree on the plane: its nearest in the plane gives an upper bound on the chord, and every
    point within that bound in the plane is a candidate."""
    x0, y0, width, height = _extent(q, p)
    _px0, _py0, pwidth, pheight = _extent(p)
    cell = max(
        NEAREST_CELL * math.sqrt(pwidth * pheight / p.shape[1]),  # about the points' spacing
        max(width, height) / 1024,  # the dense table stays small
        1.0,
    )
    best = np.full(q.shape[1], np.inf)  # chord to the nearest point found so far
    found_q, found_t, found_d = [], [], []
    grid = _Grid(p, cell, (x0, y0), _grid_size(width, height, cell), pad=NEAREST_RINGS - 1)
    lo_x, hi_x, lo_y, hi_y = grid.bounds
    rings = [_ring(k) for k in range(NEAREST_RINGS)]
    still_open = []
    for s in range(0, q.shape[1], CHUNK):
        chunk = np.arange(s, min(s + CHUNK, q.shape[1]))
        qx, qy = q[0, chunk], q[1, chunk]
        qcx, qcy = grid.cells(qx, qy)
        fx, fy = (qx - x0) / cell - (qcx - grid.pad), (qy - y0) / cell - (qcy - grid.pad)
        # The plane distance from the query to the outside of its own cell (0 if rounding strays).
        edge = cell * np.minimum(np.minimum(fx, 1 - fx), np.minimum(fy, 1 - fy)).clip(0, 0.5)
        last = np.maximum(np.maximum(qcx - lo_x, hi_x - qcx), np.maximum(qcy - lo_y, hi_y - qcy))
        at = np.arange(len(chunk))
        for k, ring in enumerate(rings):
            ids = chunk[at]
            owner, pos, per_query = grid.pairs(qcx[at], qcy[at], ring)
            d = np.sqrt(_chord2(q, ids[owner], grid.pts, pos))
            best[ids] = np.minimum(best[ids], _group_min(d, per_query))
            keep = d <= best[ids][owner] + SLACK_M
            found_q.append(ids[owner[keep]])
            found_t.append(grid.order[pos[keep]])
            found_d.append(d[keep])
            # Done when every point not yet seen lies further than the nearest (+ slack) or none is left.
            done = (best[ids] + 2 * SLACK_M <= edge[at] + k * cell) | (k >= last[at])
            at = at[~done]
            if not len(at):
                break
        still_open.append(chunk[at])
    ids = np.concatenate(still_open)
    if len(ids):
        qi, ti, d = _KDTree(p).near(q, ids)
        np.minimum.at(best, qi, d)
        found_q.append(qi)
        found_t.append(ti)
        found_d.append(d)
    qs, ts, ds = np.concatenate(found_q), np.concatenate(found_t), np.concatenate(found_d)
    keep = ds <= best[qs] + SLACK_M
    return qs[keep], ts[keep]


@dataclass
class Coverage:
    nearest: np.ndarray  # index of the nearest centre per estate (-1 when there are no centres)
    meters: np.ndarray  # straight-line metres to it
    minutes: np.ndarray  # walking minutes to it
    covered: np.ndarray  # bool: within the circle


def coverage(est_lats, est_lngs, cen_lats, cen_lngs, params: CircleParams) -> Coverage:
    """The nearest centre of every estate by walking time, and whether it lies within the circle.

    The same answer as `coverage_brute_force` (nearest by exact haversine, the lowest index on a tie)."""
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    cen_lats, cen_lngs = np.asarray(cen_lats, dtype=float), np.asarray(cen_lngs, dtype=float)
    n = len(est_lats)
    if len(cen_lats) == 0 or n == 0:
        inf = np.full(n, np.inf)
        return Coverage(np.full(n, -1, dtype=np.int64), inf, inf.copy(), np.zeros(n, dtype=bool))
    frame = Frame((est_lats, est_lngs), (cen_lats, cen_lngs))
    q, t = _nearest_pairs(frame.xyz(est_lats, est_lngs), frame.xyz(cen_lats, cen_lngs))
    d = haversine_m(est_lats[q], est_lngs[q], cen_lats[t], cen_lngs[t])
    meters = np.full(n, np.inf)
    np.minimum.at(meters, q, d)
    tie = d == meters[q]  # the nearest, and any centre exactly as near: the lowest index wins
    nearest = np.full(n, len(cen_lats), dtype=np.int64)
    np.minimum.at(nearest, q[tie], t[tie])
    return Coverage(nearest, meters, params.walk_minutes(meters), meters <= params.radius_m)


def coverage_brute_force(est_lats, est_lngs, cen_lats, cen_lngs, params: CircleParams, chunk: int = 2000) -> Coverage:
    """The same answer by comparing every estate with every centre (the tests' and bench's reference)."""
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    cen_lats, cen_lngs = np.asarray(cen_lats, dtype=float), np.asarray(cen_lngs, dtype=float)
    n = len(est_lats)
    if len(cen_lats) == 0:
        inf = np.full(n, np.inf)
        return Coverage(np.full(n, -1, dtype=np.int64), inf, inf.copy(), np.zeros(n, dtype=bool))
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
    """For each candidate, the estates (indices, ascending) within the circle, as CSR arrays
    (indptr, indices): the same arrays as `candidate_sets_brute_force`."""
    cand_lats, cand_lngs = np.asarray(cand_lats, dtype=float), np.asarray(cand_lngs, dtype=float)
    est_lats, est_lngs = np.asarray(est_lats, dtype=float), np.asarray(est_lngs, dtype=float)
    n_cand, n_est = len(cand_lats), len(est_lats)
    if n_cand == 0 or n_est == 0:
        return np.zeros(n_cand + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
    frame = Frame((est_lats, est_lngs), (cand_lats, cand_lngs))
    cands, ests = frame.xyz(cand_lats, cand_lngs), frame.xyz(est_lats, est_lngs)
    # Pairs further than `hi` in chord are outside the circle and nearer than `lo` inside, whatever the
    # rounding; only the few in between are decided by the haversine itself.
    lo, hi = max(chord_m(params.radius_m) - SLACK_M, 0.0), chord_m(params.radius_m) + SLACK_M
    x0, y0, width, height = _extent(cands, ests)
    cell = max(hi, max(width, height) / 2**30)  # the cell keys stay within int64
    grid = _Grid(ests, cell, (x0, y0), _grid_size(width, height, cell), pad=1)
    block = np.concatenate([_ring(0), _ring(1)])  # a point's 3 × 3 cells hold everything within one cell
    gx, gy, gz = grid.pts
    keys = []
    for s in range(0, n_cand, CHUNK):
        chunk = np.arange(s, min(s + CHUNK, n_cand))
        qcx, qcy = grid.cells(cands[0, chunk], cands[1, chunk])
        owner, pos, _per = grid.pairs(qcx, qcy, block)
        c = chunk[owner]
        d2 = (cands[0, c] - gx[pos]) ** 2 + (cands[1, c] - gy[pos]) ** 2  # the plane part first
        near = np.flatnonzero(d2 <= hi * hi)
        c, pos = c[near], pos[near]
        d2 = d2[near] + (cands[2, c] - gz[pos]) ** 2
        e = grid.order[pos]
        inside = d2 <= lo * lo
        edge = np.flatnonzero(~inside & (d2 <= hi * hi))
        inside[edge] = haversine_m(cand_lats[c[edge]], cand_lngs[c[edge]], est_lats[e[edge]], est_lngs[e[edge]]) <= (
            params.radius_m
        )
        keys.append(np.sort(c[inside] * n_est + e[inside]))  # chunks follow each other: sorted overall
    keys = np.concatenate(keys)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys // n_est, minlength=n_cand))]).astype(np.int64)
    return indptr, keys % n_est


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


def _gain(indptr, indices, weights, covered, c: int) -> float:
    """Residents a candidate would newly cover: the definition both planners use, to the last bit."""
    members = indices[indptr[c] : indptr[c + 1]]
    return float(weights[members[~covered[members]]].sum())


def greedy_plan(indptr, indices, weights, already_covered, k: int) -> list[Pick]:
    """Greedy maximum coverage: k picks, each covering the most residents not yet covered (the lowest
    candidate index among equal gains); stops early when no candidate covers anyone new.

    Incremental: every candidate's gain is kept in an array, and after a pick only the candidates
    whose circle holds a newly covered estate lose those residents (np.subtract.at). The kept gains
    only choose a short list (within 1e-9 of the best, far wider than their rounding); the pick is
    made on gains recomputed exactly, so the picks are `greedy_plan_brute_force`'s to the last bit."""
    indptr, indices = np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    covered = np.array(already_covered, dtype=bool, copy=True)
    total = float(weights[covered].sum())
    n_cand = len(indptr) - 1
    if n_cand <= 0:
        return []
    owners = np.repeat(np.arange(n_cand), np.diff(indptr))
    gains = np.bincount(owners, weights=np.where(covered, 0.0, weights)[indices], minlength=n_cand)
    fresh = np.zeros(len(weights), dtype=bool)
    picks: list[Pick] = []
    while len(picks) < k:
        top = float(gains.max())
        tol = 1e-9 * max(abs(top), 1.0)
        if top <= tol:
            break  # nobody is left to cover (the kept gains are exact to far better than tol)
        best, best_gain = -1, 0.0
        for c in np.flatnonzero(gains >= top - tol):
            g = _gain(indptr, indices, weights, covered, c)
            if g > best_gain:
                best, best_gain = int(c), g
        if best < 0:
            break
        members = indices[indptr[best] : indptr[best + 1]]
        new = members[~covered[members]]
        covered[new] = True
        total += best_gain
        fresh[new] = True
        touched = np.flatnonzero(fresh[indices])  # the pairs of the newly covered estates
        np.subtract.at(gains, owners[touched], weights[indices[touched]])
        fresh[new] = False
        gains[best] = 0.0
        picks.append(Pick(candidate=best, gain=best_gain, covered_total=total, estates=tuple(int(i) for i in new)))
    return picks


def greedy_plan_brute_force(indptr, indices, weights, already_covered, k: int) -> list[Pick]:
    """The same picks by recomputing every candidate's gain at every step (the tests' reference)."""
    indptr, indices = np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    covered = np.array(already_covered, dtype=bool, copy=True)
    total = float(weights[covered].sum())
    picks: list[Pick] = []
    while len(picks) < k and len(indptr) > 1:
        gains = [_gain(indptr, indices, weights, covered, c) for c in range(len(indptr) - 1)]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        members = indices[indptr[best] : indptr[best + 1]]
        new = members[~covered[members]]
        covered[new] = True
        total += gains[best]
        picks.append(Pick(candidate=best, gain=gains[best], covered_total=total, estates=tuple(int(i) for i in new)))
    return picks
