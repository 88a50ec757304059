"""Demands at city scale: 1,000,000 demands over a year in a city of 600 grids.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_demands \\
        .venv/bin/python bench/demands_scale.py [--demands 1000000] [--calls 40] [--seed 7]

On var/bench_demands.sqlite3 unless DATABASE_URL is set (PostgreSQL is the plan at this size). Builds,
if the database does not hold them yet: the city scale with the bulk builder
(dangjian.demo.bulk.build_scale("city")), two accounts (the district admin, the community worker of
the busiest community), then the demands with dangjian.demo.bulk_demands.generate_demands (COPY on
PostgreSQL): submitted over the last 365 days, in every state, unevenly over the grids.

Then times (median and p95 over --calls calls):
- the community worker's demand list (demands.selectors.desk_list, 20 a page): count + page 1;
- the busiest community's three lists of the five lists (需求、服务、评价清单): count + page 1;
- the figures rollup (demands.insight.figures.demand_figures: total + children in one GROUP BY each, + trend)
  for the whole city and for the busiest community, this year; the three lists' counts for the city.
Prints the query plans of the list and of the city rollup. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from _setup import describe_db, line, median, percentile, quiet_debug, setup_django

PAGE_SIZE = 20
ACCOUNTS = {"bench_dm_qu": "district_admin", "bench_dm_sq": "community_worker"}


def city_district():
    from dangjian.territory.models import Area, Level

    best, most = None, -1
    for district in Area.objects.filter(level=Level.DISTRICT).order_by("path"):
        n = district.subtree().filter(level=Level.GRID).count()
        if n > most:
            best, most = district, n
    return best if most >= 600 else None


def ensure_city():
    from dangjian.demo.bulk import build_scale

    district = city_district()
    if district is None:
        started = time.perf_counter()
        build_scale("city", seed=440402)
        line("city scale built (bulk)", f"{time.perf_counter() - started:.1f}", "s")
        district = city_district()
    return district


def ensure_accounts(district, community):
    from dangjian.accounts.models import User
    from dangjian.accounts.services import role_assign, user_create

    scope = {"district_admin": {"area": district}, "community_worker": {"area": community}}
    users = {}
    for username, role in ACCOUNTS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password="Bench-pass-2026", validate=False)
            role_assign(actor=None, user=user, role=role, **scope[role])
        users[role] = User.objects.get(pk=user.pk)
    return users


def timed(fn, calls):
    timings, result = [], None
    for _k in range(calls):
        t0 = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return timings, result


def report(label, timings):
    line(label, f"median {median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms (n={len(timings)})")


def plan(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " | ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql, params)
        return "\n    ".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=1_000_000, help="demands in the city (default 1,000,000)")
    parser.add_argument("--calls", type=int, default=40, help="timed calls per list read (default 40)")
    parser.add_argument("--figure-calls", type=int, default=5, help="timed calls per rollup (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_django("bench_demands.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Count

    from dangjian.core import periods
    from dangjian.demands import lists, selectors
    from dangjian.demands.insight import figures
    from dangjian.demands.models import Demand
    from dangjian.demo.bulk_demands import generate_demands
    from dangjian.territory.models import Area

    line("database", describe_db())
    district = ensure_city()
    have = Demand.objects.filter(area_path__startswith=district.path).count()
    if have < args.demands:
        started = time.perf_counter()
        generate_demands(args.demands - have, root=district, seed=args.seed + have)
        line("demands written", f"{args.demands - have} in {time.perf_counter() - started:.1f}", "s")
    line("demands in the city", Demand.objects.filter(area_path__startswith=district.path).count())
    busiest_id = (
        Demand.objects.filter(area_path__startswith=district.path)
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("community_id", flat=True)
        .first()
    )
    community = Area.objects.get(pk=busiest_id)
    users = ensure_accounts(district, community)
    worker, admin = users["community_worker"], users["district_admin"]
    line("busiest community", f"{community.name} ({Demand.objects.filter(community=community).count()} demands)")
    quiet_debug()

    def desk_page():
        qs = selectors.desk_list(worker, tab="")
        return qs.count(), list(qs[:PAGE_SIZE])

    timings, (count, _rows) = timed(desk_page, args.calls)
    report(f"community list: count ({count}) + page 1", timings)
    timings, _counts = timed(lambda: selectors.tab_counts(worker), args.calls)
    report("community list: tab counts", timings)
    for name, source in (
        ("demands", lists.community_demands),
        ("services", lists.community_services),
        ("evaluations", lists.community_evaluations),
    ):

        def page(source=source):
            qs = source(community)
            return qs.count(), list(qs[:PAGE_SIZE])

        timings, (count, _rows) = timed(page, args.calls)
        report(f"five lists · {name}: count ({count}) + page 1", timings)

    this_year = periods.period_for("this_year")
    last_365 = periods.period_for(
        "custom", this_year.date_to.replace(year=this_year.date_to.year - 1), this_year.date_to
    )
    for label, user, node, period in (
        ("city rollup, this year", admin, district, this_year),
        ("city rollup, last 365 days", admin, district, last_365),
        ("community rollup, last 365 days", worker, community, last_365),
    ):
        timings, report_ = timed(
            lambda user=user, node=node, period=period: figures.demand_figures(user=user, node=node, period=period),
            args.figure_calls,
        )
        t = report_.total
        report(
            f"{label}: received {t.received}, services {t.done}, evaluations {t.rated}, "
            f"avg {t.stars}★, good {t.good_rate}%, hours {t.hours}",
            timings,
        )
    qs = selectors.desk_list(worker, tab="")[:PAGE_SIZE]
    sql, params = qs.query.sql_with_params()
    line("plan · community list page 1", "\n    " + plan(sql, params))
    city = figures.cohort(user=admin, node=district, period=last_365)
    sql, params = city.values("status").annotate(n=Count("pk")).query.sql_with_params()
    line("plan · city cohort", "\n    " + plan(sql, params))


if __name__ == "__main__":
    main()
