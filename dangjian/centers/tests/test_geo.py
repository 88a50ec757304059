"""Walking time, coverage and the greedy planner against hand-computed figures."""

import numpy as np
import pytest

from dangjian.centers import geo

P = geo.CircleParams()  # 10 minutes, detour 1.3, 75 m/min, 2.6 persons per household
LAT0, LNG0 = 22.0, 113.0
M_PER_DEG_LAT = 6_371_008.8 * np.pi / 180  # 111,195.08 m


def north(meters: float) -> float:
    return LAT0 + meters / M_PER_DEG_LAT


def test_it_computes_the_radius_and_walking_minutes_by_hand():
    assert P.radius_m == pytest.approx(750 / 1.3)  # 576.92 m
    assert P.walk_minutes(500) == pytest.approx(500 * 1.3 / 75)  # 8.667 min
    assert P.walk_minutes(600) == pytest.approx(10.4)
    slow = geo.CircleParams(minutes=15, detour_factor=1.5, walk_speed=60)
    assert slow.radius_m == pytest.approx(600)


def test_it_measures_haversine_distances():
    assert geo.haversine_scalar(LAT0, LNG0, LAT0 + 1, LNG0) == pytest.approx(M_PER_DEG_LAT, rel=1e-9)
    # One degree of longitude at 22° N is cos(22°) of a degree of latitude (for a short hop).
    east = geo.haversine_scalar(LAT0, LNG0, LAT0, LNG0 + 0.01)
    assert east == pytest.approx(0.01 * M_PER_DEG_LAT * np.cos(np.radians(22)), rel=1e-6)


def test_coverage_of_a_hand_built_case():
    # Two centres; estates at known distances north of the first.
    cen_lats, cen_lngs = [LAT0, LAT0 + 0.1], [LNG0, LNG0]
    est = [500, 576, 578, 600, 2000]
    cov = geo.coverage([north(m) for m in est], [LNG0] * len(est), cen_lats, cen_lngs, P)
    assert list(cov.covered) == [True, True, False, False, False]
    assert cov.meters[0] == pytest.approx(500, abs=0.01)
    assert cov.minutes[0] == pytest.approx(8.6667, abs=1e-3)
    assert cov.minutes[3] == pytest.approx(10.4, abs=1e-3)
    assert list(cov.nearest) == [0, 0, 0, 0, 0]


def test_the_nearest_centre_is_the_closer_one():
    cov = geo.coverage([north(3000)], [LNG0], [LAT0, north(3400)], [LNG0, LNG0], P)
    assert cov.nearest[0] == 1
    assert cov.meters[0] == pytest.approx(400, abs=0.01)
    assert cov.covered[0]


def test_no_centres_leaves_everything_uncovered():
    cov = geo.coverage([LAT0], [LNG0], [], [], P)
    assert not cov.covered[0] and cov.nearest[0] == -1


def test_the_index_agrees_with_brute_force_on_random_points():
    rng = np.random.default_rng(7)
    est_lats, est_lngs = LAT0 + rng.random(3000) * 0.2, LNG0 + rng.random(3000) * 0.2
    cen_lats, cen_lngs = LAT0 + rng.random(150) * 0.2, LNG0 + rng.random(150) * 0.2
    fast = geo.coverage(est_lats, est_lngs, cen_lats, cen_lngs, P)
    slow = geo.coverage_brute_force(est_lats, est_lngs, cen_lats, cen_lngs, P)
    assert (fast.covered == slow.covered).all()
    assert 0 < fast.covered.sum() < len(est_lats)  # the case is not trivial
    # The exact nearest everywhere, inside the circle and beyond it (test_geo_exact.py has the edge cases).
    assert (fast.nearest == slow.nearest).all()
    assert (fast.meters == slow.meters).all()
    ip, ii = geo.candidate_sets(cen_lats, cen_lngs, est_lats, est_lngs, P)
    bp, bi = geo.candidate_sets_brute_force(cen_lats, cen_lngs, est_lats, est_lngs, P)
    assert list(ip) == list(bp)
    for c in range(len(cen_lats)):
        assert sorted(ii[ip[c] : ip[c + 1]]) == sorted(bi[bp[c] : bp[c + 1]])


def test_the_greedy_plan_finds_the_known_best_pair():
    # Estates 0..4 with residents; candidate sets chosen so the best two sites are B and D (90 people):
    # A {0,1} = 40, B {1,2,3} = 60, C {3} = 25, D {4} = 30; B then D covers 90; no pair does better.
    weights = np.array([20.0, 20.0, 15.0, 25.0, 30.0])
    sets = [[0, 1], [1, 2, 3], [3], [4]]
    indptr = np.cumsum([0] + [len(s) for s in sets])
    indices = np.array([i for s in sets for i in s])
    picks = geo.greedy_plan(indptr, indices, weights, np.zeros(5, dtype=bool), 2)
    assert [p.candidate for p in picks] == [1, 3]
    assert [p.gain for p in picks] == [60, 30]
    assert [p.covered_total for p in picks] == [60, 90]
    best = max(weights[list(set(sets[a]) | set(sets[b]))].sum() for a in range(4) for b in range(a + 1, 4))
    assert picks[-1].covered_total == best == 90


def test_the_plan_counts_only_residents_not_yet_covered_and_stops_when_nothing_is_left():
    weights = np.array([10.0, 10.0])
    indptr, indices = np.array([0, 2, 3]), np.array([0, 1, 1])
    covered = np.array([True, False])
    picks = geo.greedy_plan(indptr, indices, weights, covered, 5)
    assert len(picks) == 1
    assert picks[0].gain == 10 and picks[0].covered_total == 20 and picks[0].estates == (1,)


def test_the_plan_on_points():
    # Three estates far apart, residents 100, 300, 200; the candidates are the estates themselves.
    lats = [LAT0, north(5000), north(10000)]
    lngs = [LNG0] * 3
    weights = np.array([100.0, 300.0, 200.0])
    indptr, indices = geo.candidate_sets(lats, lngs, lats, lngs, P)
    picks = geo.greedy_plan(indptr, indices, weights, np.zeros(3, dtype=bool), 2)
    assert [p.candidate for p in picks] == [1, 2]
    assert [p.covered_total for p in picks] == [300, 500]


def test_a_candidate_emptied_by_an_earlier_pick_does_not_end_the_plan():
    # A {0,1} = 30 is picked first; B {0} had the second-best stale gain but is now worth 0; C {2} = 5 follows.
    weights = np.array([20.0, 10.0, 5.0])
    sets = [[0, 1], [0], [2]]
    indptr = np.cumsum([0] + [len(s) for s in sets])
    indices = np.array([i for s in sets for i in s])
    picks = geo.greedy_plan(indptr, indices, weights, np.zeros(3, dtype=bool), 3)
    assert [p.candidate for p in picks] == [0, 2]
    assert picks[-1].covered_total == 35
