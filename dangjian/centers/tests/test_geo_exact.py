"""The grid-hash coverage, candidate sets and incremental planner give the brute force's answers
exactly: the same nearest centre (lowest index on a tie), the same metres to the bit, the same
estates inside (a distance equal to the radius is inside), the same picks in the same order."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.centers import geo

P = geo.CircleParams()  # radius 576.9 m
LAT0, LNG0 = 22.6, 113.6


def assert_same_coverage(est_lats, est_lngs, cen_lats, cen_lngs, params=P):
    fast = geo.coverage(est_lats, est_lngs, cen_lats, cen_lngs, params)
    slow = geo.coverage_brute_force(est_lats, est_lngs, cen_lats, cen_lngs, params)
    assert np.array_equal(fast.nearest, slow.nearest)
    assert np.array_equal(fast.meters, slow.meters)
    assert np.array_equal(fast.minutes, slow.minutes)
    assert np.array_equal(fast.covered, slow.covered)
    return fast


def assert_same_sets(cand_lats, cand_lngs, est_lats, est_lngs, params=P):
    fast = geo.candidate_sets(cand_lats, cand_lngs, est_lats, est_lngs, params)
    slow = geo.candidate_sets_brute_force(cand_lats, cand_lngs, est_lats, est_lngs, params)
    assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])
    return fast


def assert_same_plan(indptr, indices, weights, covered, k):
    fast = geo.greedy_plan(indptr, indices, weights, covered, k)
    slow = geo.greedy_plan_brute_force(indptr, indices, weights, covered, k)
    assert fast == slow  # candidate, gain, running total and newly covered estates of every pick
    return fast


def scattered(rng, n, span=0.2, lat0=LAT0, lng0=LNG0):
    return lat0 + rng.random(n) * span, lng0 + rng.random(n) * span


def clustered(rng, n, clusters=6, spread=0.004, span=0.3):
    centres = rng.random((clusters, 2)) * span
    which = rng.integers(0, clusters, n)
    return (
        LAT0 + centres[which, 0] + rng.normal(0, spread, n),
        LNG0 + centres[which, 1] + rng.normal(0, spread, n),
    )


@pytest.mark.parametrize("seed", range(6))
def test_uniform_random_points_agree_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    est_lats, est_lngs = scattered(rng, 4000)
    n_centres = int(rng.integers(1, 250))
    cen_lats, cen_lngs = scattered(rng, n_centres)
    cov = assert_same_coverage(est_lats, est_lngs, cen_lats, cen_lngs)
    assert 0 < cov.covered.sum() < len(est_lats) or n_centres < 5  # not trivial, but for a lone centre
    cand_lats, cand_lngs = scattered(rng, 600)
    indptr, indices = assert_same_sets(cand_lats, cand_lngs, est_lats, est_lngs)
    weights = rng.integers(0, 2000, len(est_lats)) * P.persons_per_household
    picks = assert_same_plan(indptr, indices, weights, cov.covered, 15)
    assert len(picks) == 15
    assert all(a.gain >= b.gain for a, b in zip(picks, picks[1:], strict=False))  # greedy gains never grow


@pytest.mark.parametrize("seed", range(4))
def test_clustered_and_sparse_layouts_agree_with_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    est_lats, est_lngs = clustered(rng, 3000)
    # Centres in other clusters, so that many estates' nearest centre lies kilometres away.
    cen_lats, cen_lngs = clustered(rng, 40, clusters=3)
    assert_same_coverage(est_lats, est_lngs, cen_lats, cen_lngs)
    # A single far centre; and estates spread far beyond the centres' few hundred metres.
    assert_same_coverage(est_lats, est_lngs, cen_lats[:1] + 1.5, cen_lngs[:1])
    far_lats, far_lngs = scattered(rng, 500, span=3.0, lat0=LAT0 - 1.5, lng0=LNG0 - 1.5)
    assert_same_coverage(far_lats, far_lngs, *scattered(rng, 30, span=0.005))
    cand_lats, cand_lngs = clustered(rng, 800)
    indptr, indices = assert_same_sets(cand_lats, cand_lngs, est_lats, est_lngs)
    cov = geo.coverage(est_lats, est_lngs, cen_lats, cen_lngs, P)
    assert_same_plan(indptr, indices, rng.integers(1, 900, len(est_lats)) * 2.6, cov.covered, 25)


def test_points_across_the_world_agree_with_brute_force():
    # A map point may be dropped anywhere: the poles, both sides of the 180th meridian, the far side.
    rng = np.random.default_rng(9)
    lats = np.concatenate([rng.uniform(-90, 90, 300), [90.0, -90.0, 0.0, 0.0, 0.001]])
    lngs = np.concatenate([rng.uniform(-180, 180, 300), [0.0, 45.0, 180.0, -180.0, 179.9999]])
    cen_lats, cen_lngs = rng.uniform(-90, 90, 40), rng.uniform(-180, 180, 40)
    assert_same_coverage(lats, lngs, cen_lats, cen_lngs)
    big = geo.CircleParams(minutes=20_000, walk_speed=80.0, detour_factor=1.0)  # 1,600 km
    assert_same_coverage(lats, lngs, cen_lats, cen_lngs, big)
    assert_same_sets(cen_lats, cen_lngs, lats, lngs, big)
    assert_same_sets(lats, lngs, lats, lngs, P)  # each point holds itself (and its twin at ±180°)


def test_an_estate_exactly_at_the_radius_is_inside_and_one_a_hair_further_is_not():
    cen_lat, cen_lng = LAT0, LNG0
    est_lat, est_lng = LAT0 + 0.003, LNG0 + 0.004
    exact = float(geo.haversine_m(np.array([est_lat]), np.array([est_lng]), cen_lat, cen_lng)[0])
    params = geo.CircleParams(minutes=exact, detour_factor=1.0, walk_speed=1.0)
    assert params.radius_m == exact
    lats = [est_lat, np.nextafter(est_lat, 90.0) + 1e-12, LAT0 + 0.001]
    lngs = [est_lng, est_lng, LNG0]
    cov = assert_same_coverage(lats, lngs, [cen_lat], [cen_lng], params)
    assert list(cov.covered) == [True, False, True]
    assert cov.meters[0] == exact
    indptr, indices = assert_same_sets([cen_lat], [cen_lng], lats, lngs, params)
    assert list(indices) == [0, 2]


def test_no_centres_no_estates_no_candidates():
    rng = np.random.default_rng(3)
    est_lats, est_lngs = scattered(rng, 50)
    cov = assert_same_coverage(est_lats, est_lngs, [], [])
    assert (cov.nearest == -1).all() and np.isinf(cov.meters).all() and not cov.covered.any()
    empty = geo.coverage([], [], *scattered(rng, 5), P)
    assert len(empty.nearest) == len(empty.meters) == len(empty.covered) == 0
    indptr, indices = assert_same_sets([], [], est_lats, est_lngs)
    assert list(indptr) == [0] and len(indices) == 0
    indptr, indices = assert_same_sets(*scattered(rng, 4), [], [])
    assert list(indptr) == [0, 0, 0, 0, 0]
    assert geo.greedy_plan(indptr, indices, np.zeros(0), np.zeros(0, dtype=bool), 3) == []
    assert geo.greedy_plan(np.zeros(1, dtype=np.int64), indices, np.ones(3), np.zeros(3, dtype=bool), 3) == []


def test_duplicates_and_equal_distances_take_the_lowest_index():
    # Exactly representable coordinates, so that centres 0 and 2 are exactly as far from (22.5, 113.5).
    h = 2.0**-7  # degrees of longitude, about 802 m here
    cen_lats, cen_lngs = [22.5, 22.4, 22.5, 22.4], [113.5 - h, 113.5, 113.5 + h, 113.5]  # 1 and 3 coincide
    est_lats, est_lngs = [22.401, 22.401, 22.4, 22.5, 22.5], [113.5] * 5
    cov = assert_same_coverage(est_lats, est_lngs, cen_lats, cen_lngs)
    assert cov.meters[3] == geo.haversine_m(22.5, 113.5, 22.5, 113.5 + h)  # the same either side
    assert list(cov.nearest) == [1, 1, 1, 0, 0]
    assert cov.meters[2] == 0 and list(cov.covered) == [True, True, True, False, False]
    # Candidates 0, 2, 4 coincide (they hold estates 3, 4: 240 residents), as do 1 and 3 (0, 1, 2: 250).
    cand_lats = [22.5, 22.401, 22.5, 22.401, 22.5]
    indptr, indices = assert_same_sets(cand_lats, [113.5] * 5, est_lats, est_lngs)
    weights = np.array([100.0, 100.0, 50.0, 120.0, 120.0])
    picks = assert_same_plan(indptr, indices, weights, np.zeros(5, dtype=bool), 5)
    assert [p.candidate for p in picks] == [1, 0]
    assert [p.estates for p in picks] == [(0, 1, 2), (3, 4)]
    assert [p.covered_total for p in picks] == [250, 490]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n_est=st.integers(0, 40),
    n_cen=st.integers(0, 8),
    n_cand=st.integers(0, 12),
    k=st.integers(1, 6),
)
def test_points_on_a_coarse_lattice_agree_with_brute_force(data, n_est, n_cen, n_cand, k):
    # Points on a 0.002° lattice: many equal distances, duplicates, and the radius set to one of the
    # distances itself, so every tie-break and the boundary are exercised.
    lattice = st.tuples(st.integers(0, 6), st.integers(0, 6))

    def points(n):
        cells = data.draw(st.lists(lattice, min_size=n, max_size=n))
        return [LAT0 + 0.002 * a for a, _ in cells], [LNG0 + 0.002 * b for _, b in cells]

    est_lats, est_lngs = points(n_est)
    cen_lats, cen_lngs = points(n_cen)
    cand_lats, cand_lngs = points(n_cand)
    params = P
    if n_est and n_cand:
        i, j = data.draw(st.integers(0, n_est - 1)), data.draw(st.integers(0, n_cand - 1))
        d = float(geo.haversine_m(np.array([est_lats[i]]), np.array([est_lngs[i]]), cand_lats[j], cand_lngs[j])[0])
        params = geo.CircleParams(minutes=d, detour_factor=1.0, walk_speed=1.0)
    cov = assert_same_coverage(est_lats, est_lngs, cen_lats, cen_lngs, params)
    indptr, indices = assert_same_sets(cand_lats, cand_lngs, est_lats, est_lngs, params)
    weights = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n_est, max_size=n_est)), dtype=float) * 2.6
    assert_same_plan(indptr, indices, weights, cov.covered, k)
