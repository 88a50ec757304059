"""The ten-minute circle at province scale: coverage of 200,000 estates by 5,000 centres, and a plan
of 20 new sites among 50,000 candidates — with the STRtree index against brute force.

    DEBUG=1 .venv/bin/python bench/ten_minute_circle.py [--estates 200000] [--centres 5000]
        [--candidates 50000] [--sites 20] [--brute-estates 10000] [--brute-candidates 500] [--no-db]

Points are generated in memory (seeded), uniform over a 1.2° × 1.2° box around 22.6 N 113.6 E
(about 123 km × 133 km, a city region). Brute force is run on a subsample and extrapolated
linearly (its cost is exactly proportional to the rows it compares). Peak memory is tracemalloc's
peak of each step (numpy's buffers are traced). Then, unless --no-db, the demo district is built in
var/bench_circle.sqlite3 (or DATABASE_URL) with its centres, and the database-backed circle and plan
of the pages are timed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from _setup import describe_db, line, quiet_debug, setup_django


def measured(fn, *args, **kwargs):
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estates", type=int, default=200_000)
    parser.add_argument("--centres", type=int, default=5_000)
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--brute-estates", type=int, default=10_000)
    parser.add_argument("--brute-candidates", type=int, default=500)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-db", action="store_true")
    args = parser.parse_args()
    setup_django("bench_circle.sqlite3")
    from dangjian.centers import geo

    rng = np.random.default_rng(args.seed)
    lat0, lng0, span = 22.0, 113.0, 1.2
    est_lats, est_lngs = lat0 + rng.random(args.estates) * span, lng0 + rng.random(args.estates) * span
    cen_lats, cen_lngs = lat0 + rng.random(args.centres) * span, lng0 + rng.random(args.centres) * span
    cand_lats, cand_lngs = lat0 + rng.random(args.candidates) * span, lng0 + rng.random(args.candidates) * span
    households = rng.integers(200, 2000, args.estates)
    params = geo.CircleParams()
    residents = households * params.persons_per_household
    line("estates / centres / candidates", f"{args.estates:,} / {args.centres:,} / {args.candidates:,}")
    line("area", f"{span}° × {span}° around {lat0 + span / 2:.1f} N {lng0 + span / 2:.1f} E")
    line("radius (10 min, detour 1.3, 75 m/min)", f"{params.radius_m:.1f}", "m")

    # -- coverage ---------------------------------------------------------------------------------
    cov, secs, peak = measured(geo.coverage, est_lats, est_lngs, cen_lats, cen_lngs, params)
    line("coverage with STRtree: time", f"{secs:.3f}", "s")
    line("coverage with STRtree: peak memory", f"{peak:.1f}", "MiB")
    line(
        "coverage result",
        f"{int(cov.covered.sum()):,} estates covered ({cov.covered.mean():.1%}), "
        f"residents {residents[cov.covered].sum() / residents.sum():.1%}",
    )
    n = min(args.brute_estates, args.estates)
    brute, bsecs, bpeak = measured(geo.coverage_brute_force, est_lats[:n], est_lngs[:n], cen_lats, cen_lngs, params)
    projected = bsecs * args.estates / n
    line(f"coverage brute force on {n:,} estates: time", f"{bsecs:.3f}", "s")
    line("coverage brute force: peak memory", f"{bpeak:.1f}", "MiB")
    line(f"coverage brute force extrapolated to {args.estates:,}", f"{projected:.1f}", "s")
    line("coverage speed-up (brute force ÷ STRtree)", f"{projected / secs:.0f}×")
    agree = (brute.covered == cov.covered[:n]).all() and np.allclose(
        brute.meters[brute.covered], cov.meters[:n][brute.covered]
    )
    line("coverage: index and brute force agree on the subsample", "yes" if agree else "NO")

    # -- the plan ---------------------------------------------------------------------------------
    sets, ssecs, speak = measured(geo.candidate_sets, cand_lats, cand_lngs, est_lats, est_lngs, params)
    indptr, indices = sets
    line("plan: candidate sets with STRtree: time", f"{ssecs:.3f}", "s")
    line("plan: candidate sets: peak memory", f"{speak:.1f}", "MiB")
    line("plan: candidate–estate pairs within the radius", f"{len(indices):,}")
    picks, gsecs, gpeak = measured(geo.greedy_plan, indptr, indices, residents, cov.covered, args.sites)
    line(f"plan: lazy greedy, {args.sites} sites: time", f"{gsecs:.3f}", "s")
    line("plan: lazy greedy: peak memory", f"{gpeak:.1f}", "MiB")
    before = residents[cov.covered].sum()
    line(
        "plan result",
        f"+{picks[-1].covered_total - before:,.0f} residents covered by {len(picks)} sites "
        f"(share {before / residents.sum():.2%} → {picks[-1].covered_total / residents.sum():.2%}); "
        f"first pick +{picks[0].gain:,.0f}, last +{picks[-1].gain:,.0f}",
    )
    m = min(args.brute_candidates, args.candidates)
    bsets, bssecs, bspeak = measured(
        geo.candidate_sets_brute_force, cand_lats[:m], cand_lngs[:m], est_lats, est_lngs, params, chunk=25
    )
    projected = bssecs * args.candidates / m
    line(f"plan: candidate sets brute force on {m:,} candidates: time", f"{bssecs:.3f}", "s")
    line("plan: candidate sets brute force: peak memory", f"{bspeak:.1f}", "MiB")
    line(f"plan: candidate sets brute force extrapolated to {args.candidates:,}", f"{projected:.1f}", "s")
    line("plan speed-up (brute force ÷ STRtree)", f"{projected / ssecs:.0f}×")
    same = list(bsets[0]) == list(indptr[: m + 1]) and all(
        sorted(bsets[1][bsets[0][c] : bsets[0][c + 1]]) == sorted(indices[indptr[c] : indptr[c + 1]]) for c in range(m)
    )
    line("plan: index and brute force agree on the subsample", "yes" if same else "NO")

    if not args.no_db:
        db_run()


def db_run() -> None:
    import random

    from django.core.management import call_command
    from django.db import connection

    from dangjian.centers import selectors
    from dangjian.centers.models import ServiceCenter
    from dangjian.demo import centers as demo_data
    from dangjian.demo.builder import build_demo_district
    from dangjian.territory.models import Area

    quiet_debug()
    call_command("migrate", verbosity=0)
    if not Area.objects.filter(level="district").exists():
        built = build_demo_district()
        if not ServiceCenter.objects.exists():
            demo_data.build(random.Random(1), built)
    line("database", describe_db())
    district = Area.objects.get(level="district")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        circle = selectors.circle_for(district)
        times.append(time.perf_counter() - t0)
    line(
        "demo district: circle_for (DB read + coverage), best of 5",
        f"{min(times) * 1000:.1f}",
        f"ms ({len(circle.estates)} estates, {len(circle.centers)} centres, "
        f"{circle.total.resident_share:.1%} of residents covered)",
    )
    t0 = time.perf_counter()
    plan = selectors.plan_for(circle, 3, [])
    line(
        "demo district: plan of 3 sites",
        f"{(time.perf_counter() - t0) * 1000:.1f}",
        f"ms (→ {plan['picks'][-1]['share']:.1%})",
    )
    connection.close()


if __name__ == "__main__":
    main()
