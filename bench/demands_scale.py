"""Demand lists at scale: the real desk page through gunicorn, beside its query in raw SQL.

    .venv/bin/python bench/demands_scale.py --size small          # SQLite, a few thousand demands, < 1 min
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_demands \\
        .venv/bin/python bench/demands_scale.py --size city       # 1,000,000 demands over a year

On var/bench_demands.sqlite3 unless DATABASE_URL is set. Builds, if the database does not hold them yet:
the city scale (dangjian.demo.bulk.build_scale("city"): 130 communities, 600 grids), two accounts (the
district admin, the community worker of the busiest community), then the demands with
dangjian.demo.bulk_demands.generate_demands (COPY on PostgreSQL): submitted over the last 365 days, in
every state, unevenly over the grids. Sizes: small 3,000, city 1,000,000, province 10,000,000 demands.

Then, for the community worker and the district admin, times (median and p95) the desk list page
(/demands/desk/, signed in, DEBUG off, through gunicorn on loopback) on page 1 of the 待受理 tab, a deep
page of 全部 (a cursor half-way down, at most 100,000 rows deep) and the 办理中 and 超时 tabs; beside each,
the page's own keys query (the index walk; the 20 rows are then read by key) run in raw SQL in this
process, and the number of SQL queries the page takes (counted in this process); then prints each
query's plan (EXPLAIN ANALYZE on PostgreSQL). Then the busiest community's three lists of the five
lists (page 1 and its capped count) and the figures (demands.insight.figures.demand_figures) of the
city and the community. Prints figures; asserts nothing. Other processes on the machine disturb the timings.
"""

from __future__ import annotations

import argparse
import time

from _setup import (
    Server,
    add_size_argument,
    describe_db,
    line,
    median,
    page_query_count,
    percentile,
    quiet_debug,
    setup_django,
    sized,
)

PASSWORD = "Bench-pass-2026"
ACCOUNTS = {"bench_dm_qu": "district_admin", "bench_dm_sq": "community_worker"}
GOALS = {"community_worker": 50, "district_admin": 100}  # p95 ms of a list page (issue 13)


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
        build_scale("city", seed=440402, progress=False)
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
            user = user_create(actor=None, username=username, password=PASSWORD, validate=False)
            role_assign(actor=None, user=user, role=role, **scope[role])
        users[role] = User.objects.get(pk=user.pk)
    return users


def report(label, timings, goal=None):
    beside = f", goal p95 <= {goal} ms" if goal else ""
    line(label, f"median {median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms (n={len(timings)}){beside}")


def timed(fn, calls):
    timings = []
    for _k in range(calls):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


def raw_sql(qs):
    """The queryset's SQL and parameters, run as the database's own cursor runs it."""
    from django.db import connection

    sql, params = qs.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return sql, params, run


def plan(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " | ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n    ".join(row[0] for row in cursor.fetchall())


def desk_cases(user):
    """(label, query string, the page's keys query) of the desk pages timed for `user`: the page reads
    its 20 keys with this query (an index walk), then those rows with their joins by primary key."""
    from dangjian.core.keyset import cursor_of, keyset_page, seek_q
    from dangjian.demands import selectors
    from dangjian.demands.desk.views import PAGE_SIZE

    ordering = selectors.DESK_ORDERING

    def keys(qs):
        return qs.order_by(*ordering).values_list("pk", flat=True)[:PAGE_SIZE]

    every = selectors.desk_list(user, tab="")
    depth = min(every.count() // 2, 100_000)
    deep_row = every.order_by(*ordering)[depth : depth + 1].first()
    cases = [("page 1 (待受理)", "tab=submitted", keys(selectors.desk_list(user, tab="submitted")))]
    if deep_row is not None:
        cursor = cursor_of(deep_row, ordering)
        assert keyset_page(every, ordering, after=cursor, per_page=PAGE_SIZE).rows  # the cursor opens a page
        values = [getattr(deep_row, term.lstrip("-")) for term in ordering]
        cases.append(
            (
                f"deep page (全部, row {depth})",
                f"tab=all&after={cursor}",
                keys(every.filter(seek_q(ordering, values))),
            )
        )
    for tab, label in (("handling", "办理中"), ("overdue", "超时")):
        cases.append((f"tab {label}", f"tab={tab}", keys(selectors.desk_list(user, tab=tab))))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0, help="timed calls per page (default: by size)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    total = sized(args.size, 3_000, 1_000_000, 10_000_000)
    calls = args.calls or sized(args.size, 8, 40, 40)

    setup_django("bench_demands.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dangjian.core import periods
    from dangjian.core.keyset import capped_count as count_upto
    from dangjian.demands import lists, selectors
    from dangjian.demands.insight import figures
    from dangjian.demands.models import Demand
    from dangjian.demo.bulk_demands import generate_demands
    from dangjian.territory.models import Area

    line("database", describe_db())
    district = ensure_city()
    have = Demand.objects.filter(area_path__startswith=district.path).count()
    if have < total:
        started = time.perf_counter()
        generate_demands(total - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("demands written", f"{total - have} in {time.perf_counter() - started:.1f}", "s")
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
    line("busiest community", f"{community.name} ({Demand.objects.filter(community=community).count()} demands)")
    quiet_debug()

    desk, mine = reverse("demands:desk"), reverse("demands:mine")
    plans = []
    with Server() as server:
        for role, username in (("community_worker", "bench_dm_sq"), ("district_admin", "bench_dm_qu")):
            user = users[role]
            session = server.session(username, PASSWORD)
            server.time_page(session, mine, 2)
            # The anchor: the same server's near-empty list page (我的需求: none) for the same person.
            report(f"{role} anchor · near-empty page (我的需求)", server.time_page(session, mine, calls))
            for label, query, qs in desk_cases(user):
                server.time_page(session, f"{desk}?{query}", 2)  # warm up
                report(f"{role} desk page · {label}", server.time_page(session, f"{desk}?{query}", calls), GOALS[role])
                line(f"{role} desk page · SQL queries · {label}", page_query_count(user, f"{desk}?{query}"))
                sql, params, run = raw_sql(qs)
                run()
                report(f"{role} desk keys query in raw SQL · {label}", timed(run, calls))
                plans.append((f"{role} · {label}", sql, params))
            tab_counts = timed(lambda user=user: selectors.tab_counts(user), calls)
            with CaptureQueriesContext(connection) as ctx:
                counts = selectors.tab_counts(user)
            plans.append((f"{role} · tab counts (one query)", ctx.captured_queries[-1]["sql"], None))
            report(f"{role} tab counts ({', '.join(f'{k} {v}' for k, v in counts.items())})", tab_counts)

    for name, source in (
        ("需求清单", lists.community_demands),
        ("服务清单", lists.community_services),
        ("评价清单", lists.community_evaluations),
    ):
        qs = source(community)
        sql, params, run = raw_sql(qs.values_list("pk", flat=True)[:20])
        n = count_upto(qs, selectors.COUNT_CAP)
        report(
            f"five lists · {name}: page 1 + capped count ({n})",
            timed(lambda qs=qs: (list(qs[:20]), count_upto(qs, selectors.COUNT_CAP)), calls),
        )
        plans.append((f"five lists · {name}", sql, params))

    this_year = periods.period_for("this_year")
    for label, user, node in (
        ("city", users["district_admin"], district),
        ("community", users["community_worker"], community),
    ):
        try:
            timings = timed(
                lambda user=user, node=node: figures.demand_figures(user=user, node=node, period=this_year), 3
            )
        except (AttributeError, TypeError) as exc:  # demands.insight is being rewritten on the facts store
            line(f"figures · {label}, this year", f"not measured ({exc})")
            continue
        report(f"figures · {label}, this year (demand_figures)", timings)

    for label, sql, params in plans:
        line(f"plan · {label}", "\n    " + plan(sql, params))


if __name__ == "__main__":
    main()
