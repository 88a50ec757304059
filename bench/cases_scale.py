"""Case lists at scale: the real workbench page through gunicorn, beside its queries in raw SQL.

    .venv/bin/python bench/cases_scale.py --size small          # SQLite, a few thousand cases, < 1 min
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_cases \\
        .venv/bin/python bench/cases_scale.py --size city       # 1,000,000 cases over a year
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_prov \\
        .venv/bin/python bench/cases_scale.py --size province --district CODE   # a district filled already

On var/bench_cases.sqlite3 unless DATABASE_URL is set. Builds, if the database does not hold them yet:
the city scale (dangjian.demo.bulk.build_scale("city"): 8 subdistricts, 130 communities, 600 grids), the
six street-chief departments of its district, two accounts (the district admin, the community worker of
the busiest community), then the cases with dangjian.demo.bulk_cases.generate_cases (COPY on
PostgreSQL): received over the last 365 days, in every state a year of cases is in. Sizes: small 3,000,
city 1,000,000, province 10,000,000 cases.

Then, for the community worker and the district admin, times (median and p95) the workbench list page
(/cases/desk/, signed in, DEBUG off, through gunicorn on loopback): page 1, a deep page by cursor (half-way
down, at most 100,000 rows deep) and the 处置中 and 已超期 tabs; beside each, the page's own queries (the
rows whose ids a LIMIT subquery walks from an index, then their areas) run in raw SQL in this process,
and the tab counts (capped), and the number of SQL queries the page takes (counted in this process);
beside them an anchor, the sign-in page on the same server. Prints each rows
query's plan (EXPLAIN ANALYZE on PostgreSQL). Then the figures rollup of the city, this year
(cases.figures, whatever its public entry is at the time). Prints figures; asserts nothing. Other
processes on the machine disturb the timings.
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
ACCOUNTS = {"bench_qu": "district_admin", "bench_sq": "community_worker"}
GOALS = {"community_worker": 50, "district_admin": 100}  # p95 ms of a list page (issue 13)


def city_district():
    from dangjian.territory.models import Area, Level

    # The city scale's district is the one with the most grids below it.
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


def ensure_departments(district):
    from dangjian.units.models import Department, DepartmentKind

    kinds = [
        DepartmentKind.POLICE,
        DepartmentKind.TRAFFIC_POLICE,
        DepartmentKind.FIRE,
        DepartmentKind.MARKET_REGULATION,
        DepartmentKind.CITY_MANAGEMENT,
        DepartmentKind.SANITATION,
    ]
    out = []
    for kind in kinds:
        name = f"{district.name}{DepartmentKind(kind).label}部门"
        department, _created = Department.objects.get_or_create(area=district, name=name, defaults={"kind": kind})
        out.append(department)
    return out


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
        users[role] = User.objects.get(pk=user.pk)  # fresh: no cached role assignments
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


def plan(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " | ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n    ".join(row[0] for row in cursor.fetchall())


def page_queries(user, per_page, after=None, **filters):
    """The page's queries as the workbench runs them (core.keyset._rows, selectors.attach_related): the
    rows whose ids a LIMIT subquery reads from an index in (due_key, id) order, then their areas.
    Returns (the rows SQL, params, a function running both in raw SQL)."""
    from django.db import connection

    from dangjian.cases import selectors
    from dangjian.cases.models import Case
    from dangjian.core import keyset
    from dangjian.territory.models import Area

    part = selectors.list_parts(user, **filters)[0]
    if after:
        part = part.filter(keyset.seek_q(selectors.LIST_ORDER, keyset.decode_cursor(after, Case, selectors.LIST_ORDER)))
    keys = part.order_by(*selectors.LIST_ORDER).values("pk")[: per_page + 1]
    rows = part.model.objects.filter(pk__in=keys).order_by().select_related(*selectors.PAGE_RELATED)
    sql, params = rows.query.sql_with_params()
    cases = list(rows)
    areas = {c.grid_id for c in cases} | {c.community_id for c in cases} | {c.assigned_area_id for c in cases}
    reads = [(sql, params)]
    if areas - {None}:
        reads.append(Area.objects.filter(pk__in=areas - {None}).query.sql_with_params())

    def run():
        with connection.cursor() as cursor:
            for read_sql, read_params in reads:  # the same ids: the rows cost as they do on the page
                cursor.execute(read_sql, read_params)
                cursor.fetchall()

    return sql, params, run


def desk_pages(user, per_page):
    """(label, query string, filters, cursor) of the pages timed for `user`."""
    from dangjian.cases import selectors
    from dangjian.core import keyset

    part = selectors.list_parts(user)[0]
    total = keyset.capped_counts({"all": [part]}, cap=200_001)["all"]
    depth = min(int(total) // 2, 100_000)
    deep = part.order_by(*selectors.LIST_ORDER).values_list("due_key", "pk")[depth : depth + 1].first()
    pages = [("page 1 (全部)", "", {}, None)]
    if deep is not None:
        cursor = keyset.encode_cursor(deep)
        pages.append((f"deep page by cursor (全部, row {depth:,})", f"after={cursor}", {}, cursor))
    pages.append(("tab 处置中", "tab=handling", {"tab": "handling"}, None))
    pages.append(("tab 已超期", "tab=overdue", {"tab": "overdue"}, None))
    return pages


def figures_line(user, district):
    """The city's case figures this year, through whatever public entry cases.figures has now (another
    change is moving it onto a store of facts)."""
    from dangjian.cases import figures
    from dangjian.core import periods

    this_year = periods.period_for("this_year")
    entry = getattr(figures, "case_figures", None)
    if entry is None:
        from dangjian.cases.figures import selectors as figure_selectors

        entry = getattr(figure_selectors, "case_figures", None)
    if entry is None:
        line("figures · city, this year", "not measured (no cases.figures.case_figures)")
        return
    try:
        timings = timed(
            lambda: entry(user=user, node=district, date_from=this_year.date_from, date_to=this_year.date_to), 3
        )
    except TypeError:
        timings = timed(lambda: entry(user=user, node=district, period=this_year), 3)
    report("figures · city, this year (case_figures)", timings, 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0, help="timed calls per page (default: by size)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--district",
        default="",
        help="the code of a district already in the database to time (e.g. the one bench/cockpit_scale.py "
        "filled at province size) instead of the city scale's",
    )
    args = parser.parse_args()
    total = sized(args.size, 3_000, 1_000_000, 10_000_000)
    calls = args.calls or sized(args.size, 8, 40, 40)

    setup_django("bench_cases.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from dangjian.cases import selectors
    from dangjian.cases.desk.views import PAGE_SIZE
    from dangjian.cases.models import Case
    from dangjian.demo.bulk_cases import generate_cases
    from dangjian.territory.models import Area

    line("database", describe_db())
    district = Area.objects.get(level="district", code=args.district) if args.district else ensure_city()
    ensure_departments(district)
    have = Case.objects.filter(district=district).count()
    if have < total:
        started = time.perf_counter()
        generate_cases(total - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("cases written", f"{total - have} in {time.perf_counter() - started:.1f}", "s")
    if connection.vendor == "postgresql":
        # What autovacuum does to a table after bulk inserts: the visibility map lets index-only scans
        # skip the heap (a live table is vacuumed; a freshly COPYed one is not yet).
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) cases_case")
        line("vacuum analyze cases_case", f"{time.perf_counter() - started:.1f}", "s")
    line("cases in the city", Case.objects.filter(district=district).count())
    busiest = (
        Case.objects.filter(district=district).values("community_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    community = Area.objects.get(pk=busiest["community_id"])
    users = ensure_accounts(district, community)
    line("busiest community", f"{community.name} ({busiest['n']} cases)")
    quiet_debug()

    desk = reverse("cases:list")
    plans = []
    with Server() as server:
        # The anchor: what a page costs on this server and machine now (the sign-in form: no list, no query).
        import urllib.request

        anchor = urllib.request.build_opener()
        server.time_page(anchor, "/accounts/login/", 2)
        floor = server.time_page(anchor, "/accounts/login/", calls)
        report("anchor · the sign-in page, same server (framework floor)", floor)
        for role, username in (("community_worker", "bench_sq"), ("district_admin", "bench_qu")):
            user = users[role]
            session = server.session(username, PASSWORD)
            for label, query, filters, cursor in desk_pages(user, PAGE_SIZE):
                server.time_page(session, f"{desk}?{query}", 2)  # warm up
                report(f"{role} list page · {label}", server.time_page(session, f"{desk}?{query}", calls), GOALS[role])
                line(f"{role} list page · SQL queries · {label}", page_query_count(user, f"{desk}?{query}"))
                sql, params, run = page_queries(user, PAGE_SIZE, after=cursor, **filters)
                run()
                report(f"{role} list queries in raw SQL (rows by keys + areas) · {label}", timed(run, calls))
                plans.append((f"{role} · {label}", sql, params))
            counts = selectors.tab_counts(user)
            shown = ", ".join(f"{k} {v}" for k, v in counts.items())
            report(f"{role} tab counts, capped ({shown})", timed(lambda user=user: selectors.tab_counts(user), calls))

    figures_line(users["district_admin"], district)
    for label, sql, params in plans:
        line(f"plan · {label}", "\n    " + plan(sql, params))


if __name__ == "__main__":
    main()
