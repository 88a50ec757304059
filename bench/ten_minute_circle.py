"""The ten-minute circle at province scale: coverage of 200,000 estates by 5,000 centres, and a plan
of 20 new sites among 50,000 candidates — the grid-hash index and incremental planner against brute force.

    DEBUG=1 .venv/bin/python bench/ten_minute_circle.py [--size small|city|province] [--estates N]
        [--centres N] [--candidates N] [--sites 20] [--brute-estates N] [--brute-candidates N]
        [--repeat 3] [--no-db]

Sizes (estates / centres / candidates; brute-force subsample): small 2,000 / 50 / 500 (200 / 50),
city 20,000 / 500 / 5,000 (5,000 / 500), province 200,000 / 5,000 / 50,000 (10,000 / 500), the
issue's goal. Any of the counts given on the command line wins over the size.

Points are generated in memory (seeded), uniform over a box around 22.6 N 113.6 E: 1.2° × 1.2°
(about 123 km × 133 km, a city region) for 200,000 estates, smaller for fewer at the same density.
Each step is timed --repeat times (the best is printed, the machine is shared: the load average is
printed beside), then run once more under tracemalloc for its peak memory (numpy's buffers are
traced); the process's peak RSS is printed before and after the brute force. Brute force is run on a
subsample and extrapolated linearly (its cost is exactly proportional to the rows it compares), and
the answers are compared exactly (nearest centre, metres, covered; candidate sets; the plan on the
subsample's candidate sets). Then, unless --no-db, the bulk tree (city for small and city, province
for province) is built in var/bench_circle[_<size>].sqlite3 (or DATABASE_URL) with a centre in every
second community, and the database-backed circle and plan of a district (as the pages call them) are
timed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import numpy as np
from _setup import add_size_argument, describe_db, line, quiet_debug, setup_django, sized

REPEAT = 3


def timed(fn, *args, **kwargs):
    """(result, best seconds of REPEAT runs, tracemalloc peak MiB of one more run)."""
    best = float("inf")
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kwargs)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, best, peak / 2**20


def once(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def rss() -> str:
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--estates", type=int, default=None)
    parser.add_argument("--centres", type=int, default=None)
    parser.add_argument("--candidates", type=int, default=None)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--brute-estates", type=int, default=None)
    parser.add_argument("--brute-candidates", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-db", action="store_true")
    args = parser.parse_args()
    REPEAT = max(1, args.repeat)
    defaults = {
        "estates": sized(args.size, 2_000, 20_000, 200_000),
        "centres": sized(args.size, 50, 500, 5_000),
        "candidates": sized(args.size, 500, 5_000, 50_000),
        "brute_estates": sized(args.size, 200, 5_000, 10_000),
        "brute_candidates": sized(args.size, 50, 500, 500),
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    setup_django("bench_circle.sqlite3" if args.size == "province" else f"bench_circle_{args.size}.sqlite3")
    from dangjian.centers import geo

    rng = np.random.default_rng(args.seed)
    # The province's density at every size: 200,000 estates on 1.2° × 1.2°, fewer on a smaller box.
    span = round(1.2 * (args.estates / 200_000) ** 0.5, 3)
    lat0, lng0 = 22.6 - span / 2, 113.6 - span / 2
    est_lats, est_lngs = lat0 + rng.random(args.estates) * span, lng0 + rng.random(args.estates) * span
    cen_lats, cen_lngs = lat0 + rng.random(args.centres) * span, lng0 + rng.random(args.centres) * span
    cand_lats, cand_lngs = lat0 + rng.random(args.candidates) * span, lng0 + rng.random(args.candidates) * span
    households = rng.integers(200, 2000, args.estates)
    params = geo.CircleParams()
    residents = households * params.persons_per_household
    line("estates / centres / candidates", f"{args.estates:,} / {args.centres:,} / {args.candidates:,}")
    line("area", f"{span}° × {span}° around 22.6 N 113.6 E")
    line("radius (10 min, detour 1.3, 75 m/min)", f"{params.radius_m:.1f}", "m")
    line("machine at start", load())

    # -- coverage ---------------------------------------------------------------------------------
    cov, secs, peak = timed(geo.coverage, est_lats, est_lngs, cen_lats, cen_lngs, params)
    line("coverage with the grid hash: time", f"{secs:.3f}", f"s (best of {REPEAT}; {load()})")
    line("coverage with the grid hash: peak memory", f"{peak:.1f}", "MiB")
    line(
        "coverage result",
        f"{int(cov.covered.sum()):,} estates covered ({cov.covered.mean():.1%}), "
        f"residents {residents[cov.covered].sum() / residents.sum():.1%}",
    )

    # -- the plan ---------------------------------------------------------------------------------
    sets, ssecs, speak = timed(geo.candidate_sets, cand_lats, cand_lngs, est_lats, est_lngs, params)
    indptr, indices = sets
    line("plan: candidate sets with the grid hash: time", f"{ssecs:.3f}", f"s (best of {REPEAT}; {load()})")
    line("plan: candidate sets: peak memory", f"{speak:.1f}", "MiB")
    line("plan: candidate–estate pairs within the radius", f"{len(indices):,}")
    picks, gsecs, gpeak = timed(geo.greedy_plan, indptr, indices, residents, cov.covered, args.sites)
    line(f"plan: incremental greedy, {args.sites} sites: time", f"{gsecs:.3f}", f"s (best of {REPEAT}; {load()})")
    line("plan: incremental greedy: peak memory", f"{gpeak:.1f}", "MiB")
    line(
        f"plan of {args.sites} sites among {args.candidates:,} candidates (sets + greedy)",
        f"{ssecs + gsecs:.3f}",
        "s",
    )
    before = residents[cov.covered].sum()
    line(
        "plan result",
        f"+{picks[-1].covered_total - before:,.0f} residents covered by {len(picks)} sites "
        f"(share {before / residents.sum():.2%} → {picks[-1].covered_total / residents.sum():.2%}); "
        f"first pick +{picks[0].gain:,.0f}, last +{picks[-1].gain:,.0f}",
    )
    line("process peak RSS before the brute force", rss())

    # -- brute force on subsamples ----------------------------------------------------------------
    n = min(args.brute_estates, args.estates)
    brute, bsecs = once(geo.coverage_brute_force, est_lats[:n], est_lngs[:n], cen_lats, cen_lngs, params)
    projected = bsecs * args.estates / n
    line(f"coverage brute force on {n:,} estates: time", f"{bsecs:.3f}", f"s ({load()})")
    line(f"coverage brute force extrapolated to {args.estates:,}", f"{projected:.1f}", "s")
    line("coverage speed-up (brute force ÷ grid hash)", f"{projected / secs:.0f}×")
    sub = geo.coverage(est_lats[:n], est_lngs[:n], cen_lats, cen_lngs, params)
    agree = all(np.array_equal(getattr(brute, f), getattr(sub, f)) for f in ("nearest", "meters", "covered"))
    line("coverage: grid hash and brute force agree exactly on the subsample", "yes" if agree else "NO")

    m = min(args.brute_candidates, args.candidates)
    bsets, bssecs = once(
        geo.candidate_sets_brute_force, cand_lats[:m], cand_lngs[:m], est_lats, est_lngs, params, chunk=25
    )
    projected = bssecs * args.candidates / m
    line(f"plan: candidate sets brute force on {m:,} candidates: time", f"{bssecs:.3f}", f"s ({load()})")
    line(f"plan: candidate sets brute force extrapolated to {args.candidates:,}", f"{projected:.1f}", "s")
    line("plan: candidate sets speed-up (brute force ÷ grid hash)", f"{projected / ssecs:.0f}×")
    same = np.array_equal(bsets[0], indptr[: m + 1]) and np.array_equal(bsets[1], indices[: indptr[m]])
    line("plan: candidate sets agree exactly on the subsample", "yes" if same else "NO")
    fast = geo.greedy_plan(*bsets, residents, cov.covered, args.sites)
    slow, psecs = once(geo.greedy_plan_brute_force, *bsets, residents, cov.covered, args.sites)
    line(f"plan: brute-force greedy on {m:,} candidates: time", f"{psecs:.3f}", f"s ({load()})")
    line("plan: incremental and brute-force greedy agree on the subsample", "yes" if fast == slow else "NO")
    line("process peak RSS", rss())

    if not args.no_db:
        db_run(sized(args.size, "city", "city", "province"))


def db_run(scale: str) -> None:
    """The pages' database-backed circle and plan on the bulk tree of `scale` (city: 450 estates in
    130 communities; province: 50,000 estates), with a centre in every second community."""
    from collections import defaultdict

    from django.core.management import call_command
    from django.db import connection

    from dangjian.centers import selectors
    from dangjian.centers.models import CenterLevel, ServiceCenter
    from dangjian.demo.bulk import build_scale
    from dangjian.territory.models import Area, Estate

    quiet_debug()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Area.objects.filter(level="district").exists():
        build_scale(scale, seed=440402, progress=False)
    if not ServiceCenter.objects.exists():
        points = defaultdict(list)
        for community_id, lat, lng in Estate.objects.filter(lat__isnull=False).values_list(
            "community_id", "lat", "lng"
        ):
            points[community_id].append((lat, lng))
        names = dict(Area.objects.filter(pk__in=list(points)).values_list("pk", "name"))
        ServiceCenter.objects.bulk_create(
            ServiceCenter(
                name=f"{names[cid]}党群服务站",
                level=CenterLevel.COMMUNITY,
                area_id=cid,
                lat=sum(p[0] for p in pts) / len(pts),
                lng=sum(p[1] for p in pts) / len(pts),
            )
            for cid, pts in sorted(points.items())[::2]
        )
    line("database", describe_db())
    line("database: migrate and build", f"{time.perf_counter() - t0:.1f}", "s")
    district = Area.objects.filter(level="district").order_by("path").first()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        circle = selectors.circle_for(district)
        times.append(time.perf_counter() - t0)
    line(
        f"{district.name}: circle_for (DB read + coverage), best of 5",
        f"{min(times) * 1000:.1f}",
        f"ms ({len(circle.estates)} estates, {len(circle.centers)} centres, "
        f"{circle.total.resident_share:.1%} of residents covered)",
    )
    t0 = time.perf_counter()
    plan = selectors.plan_for(circle, 3, [])
    line(
        f"{district.name}: plan of 3 sites",
        f"{(time.perf_counter() - t0) * 1000:.1f}",
        f"ms (→ {plan['picks'][-1]['share']:.1%})",
    )
    connection.close()


if __name__ == "__main__":
    main()
