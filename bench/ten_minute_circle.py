"""The ten-minute circle at province scale: coverage of 200,000 estates by 5,000 centres, and a plan
of 20 new sites among 50,000 candidates — with the STRtree index against brute force.

    DEBUG=1 .venv/bin/python bench/ten_minute_circle.py [--size small|city|province] [--estates N]
        [--centres N] [--candidates N] [--sites 20] [--brute-estates N] [--brute-candidates N] [--no-db]

Sizes (estates / centres / candidates; brute-force subsample): small 2,000 / 50 / 500 (200 / 50),
city 20,000 / 500 / 5,000 (5,000 / 500), province 200,000 / 5,000 / 50,000 (10,000 / 500), the
issue's goal. Any of the counts given on the command line wins over the size.

Points are generated in memory (seeded), uniform over a box around 22.6 N 113.6 E: 1.2° × 1.2°
(about 123 km × 133 km, a city region) for 200,000 estates, smaller for fewer at the same density.
Brute force is run on a subsample and extrapolated linearly (its cost is exactly proportional to
the rows it compares). Peak memory is tracemalloc's peak of each step (numpy's buffers are traced).
Then, unless --no-db, the bulk tree (city for small and city, province for province) is built in
var/bench_circle[_<size>].sqlite3 (or DATABASE_URL) with a centre in every second community, and the
database-backed circle and plan of a district (as the pages call them) are timed. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from _setup import add_size_argument, describe_db, line, quiet_debug, setup_django, sized


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
    add_size_argument(parser)
    parser.add_argument("--estates", type=int, default=None)
    parser.add_argument("--centres", type=int, default=None)
    parser.add_argument("--candidates", type=int, default=None)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--brute-estates", type=int, default=None)
    parser.add_argument("--brute-candidates", type=int, default=None)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-db", action="store_true")
    args = parser.parse_args()
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
