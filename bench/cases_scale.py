"""Case lists and figures at city scale: 1,000,000 cases over a year in a city of 600 grids.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_cases \\
        .venv/bin/python bench/cases_scale.py [--cases 1000000] [--calls 40] [--seed 7]

On var/bench_cases.sqlite3 unless DATABASE_URL is set (PostgreSQL is the plan at this size). Builds,
if the database does not hold them yet: the city scale with the bulk builder
(dangjian.demo.bulk.build_scale("city"): 8 subdistricts, 130 communities, 600 grids), the six
street-chief departments of its district, four accounts (district admin, subdistrict admin,
community worker of the busiest community, a department's staff), then the cases with
dangjian.demo.bulk_cases.generate_cases (COPY on PostgreSQL): received over the last 365 days, in every
state a year of cases is in, 40 % dispatched to departments.

Then times, as the pages run them (median and p95 over --calls calls):
- the community worker's case list (cases.selectors.case_list, 20 a page): count + page 1, and
  count + a deep page, unfiltered and with filters (status, overdue, a search by number);
- the department's inbox (the list's 待签收 / 处置中 / 已超期 tabs of its own cases) and tab counts;
- the figures rollup (cases.figures.selectors.case_figures) for the whole city and for one subdistrict, this
  month and this year.
Prints the query plans of the list and of the city rollup. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from _setup import describe_db, line, median, percentile, quiet_debug, setup_django

PAGE_SIZE = 20  # the desk list's page size (cases.desk.views.PAGE_SIZE)
ACCOUNTS = {
    "bench_qu": "district_admin",
    "bench_jd": "subdistrict_admin",
    "bench_sq": "community_worker",
    "bench_bm": "department_staff",
}


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
        build_scale("city", seed=440402)
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


def ensure_accounts(district, departments, busiest_community):
    from dangjian.accounts.models import User
    from dangjian.accounts.services import role_assign, user_create
    from dangjian.territory.models import Area, Level

    subdistrict = Area.objects.get(path=busiest_community.path[:8], level=Level.SUBDISTRICT)
    scope = {
        "district_admin": {"area": district},
        "subdistrict_admin": {"area": subdistrict},
        "community_worker": {"area": busiest_community},
        "department_staff": {"department": departments[4]},  # city management takes the most
    }
    users = {}
    for username, role in ACCOUNTS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password="Bench-pass-2026", validate=False)
            role_assign(actor=None, user=user, role=role, **scope[role])
        users[role] = User.objects.get(pk=user.pk)  # fresh: no cached role assignments
    return users, subdistrict


def timed(fn, calls):
    timings = []
    result = None
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
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the city (default 1,000,000)")
    parser.add_argument("--calls", type=int, default=40, help="timed calls per list read (default 40)")
    parser.add_argument("--figure-calls", type=int, default=5, help="timed calls per rollup (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_django("bench_cases.sqlite3")
    import datetime

    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.utils import timezone

    from dangjian.cases import selectors
    from dangjian.cases.figures import selectors as figures
    from dangjian.cases.models import Case, CaseStatus
    from dangjian.core import periods
    from dangjian.core.scoping import prefix_q
    from dangjian.demo.bulk_cases import generate_cases
    from dangjian.territory.models import Area, Level

    line("database", describe_db())
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    line("migrate", f"{time.perf_counter() - started:.1f}", "s")
    district = ensure_city()
    departments = ensure_departments(district)
    existing = Case.objects.filter(prefix_q("area_path", district.path)).count()
    if existing < args.cases:
        started = time.perf_counter()
        n = generate_cases(args.cases - existing, root=district, seed=args.seed, days=365)
        elapsed = time.perf_counter() - started
        line("cases generated", f"{n} in {elapsed:.1f} s ({n / elapsed:,.0f} rows/s)")
    quiet_debug()
    total = Case.objects.filter(prefix_q("area_path", district.path)).count()
    line("cases in the city", f"{total:,}")
    line("grids", Area.objects.filter(prefix_q("path", district.path), level=Level.GRID).count())
    busiest = (
        Case.objects.filter(prefix_q("area_path", district.path))
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    community = Area.objects.get(pk=busiest["community_id"])
    users, subdistrict = ensure_accounts(district, departments, community)
    line("community for the list", f"{community.name} ({busiest['n']:,} cases)")
    line("subdistrict for the rollup", subdistrict.name)

    # -- the community worker's list, as the desk page runs it: count + one page ----------------
    worker = users["community_worker"]
    some_number = (
        Case.objects.filter(community=community).order_by("pk").values_list("number", flat=True)[busiest["n"] // 2]
    )
    variants = {
        "unfiltered": {},
        "status=handling": {"status": CaseStatus.HANDLING},
        "overdue": {"overdue": True},
        "search by number": {"q": some_number},
        "date range (a month)": {
            "date_from": timezone.localdate() - datetime.timedelta(days=30),
            "date_to": timezone.localdate(),
        },
    }
    for name, filters in variants.items():
        pages = Paginator(selectors.case_list(worker, **filters), PAGE_SIZE)
        # Unfiltered: page 1 and a deep page; filtered: page 1 (as a person narrows, then reads).
        numbers = [1, min(pages.num_pages, 200)] if not filters else [1]
        for number in numbers:

            def read(filters=filters, number=number):
                page = Paginator(selectors.case_list(worker, **filters), PAGE_SIZE).get_page(number)
                return len(list(page.object_list)), page.paginator.count

            timings, (rows, count) = timed(read, args.calls)
            report(f"community list, {name}, page {number} ({count:,} cases, {rows} rows)", timings)
    qs = selectors.case_list(worker)[PAGE_SIZE * 99 : PAGE_SIZE * 100]
    sql, params = qs.query.sql_with_params()
    line("plan, community list page 100", "\n    " + plan(sql, params))

    # -- the department's inbox ------------------------------------------------------------------
    staff = users["department_staff"]
    for tab in ("dispatched", "handling", "overdue"):

        def inbox(tab=tab):
            page = Paginator(selectors.case_list(staff, tab=tab), PAGE_SIZE).get_page(1)
            return len(list(page.object_list)), page.paginator.count

        timings, (rows, count) = timed(inbox, args.calls)
        report(f"department inbox, tab {tab} ({count:,} cases, {rows} rows)", timings)
    timings, _counts = timed(lambda: selectors.tab_counts(staff), args.calls)
    report("department tab counts", timings)
    sql, params = selectors.case_list(staff, tab="dispatched")[:PAGE_SIZE].query.sql_with_params()
    line("plan, department inbox", "\n    " + plan(sql, params))

    # -- figures ---------------------------------------------------------------------------------
    admin = users["district_admin"]
    today = timezone.localdate()
    periods = {
        "this month": periods.period_for("this_month", today=today),
        "this year": periods.period_for("this_year", today=today),
        "last 365 days": periods.Period("custom", today - datetime.timedelta(days=364), today),
    }
    for node, who in ((district, "city"), (subdistrict, "subdistrict")):
        for pname, period in periods.items():

            def rollup(node=node, period=period):
                return figures.case_figures(user=admin, node=node, date_from=period.date_from, date_to=period.date_to)

            timings, result = timed(rollup, args.figure_calls)
            t = result.total
            report(
                f"figures rollup, {who} {node.name}, {pname} ({t.received:,} received, "
                f"{len(result.children)} children, {len(result.departments)} departments)",
                timings,
            )
            shown = ("received", "closed", "on_time_rate", "overdue", "satisfaction_rate", "median_hours")
            line(f"  figures, {who}, {pname}", {k: v for k, v in t.as_dict().items() if k in shown})
        period = periods["this month"]
        timings, heat = timed(
            lambda node=node, period=period: figures.grid_heat(user=admin, node=node, department=None, period=period),
            args.figure_calls,
        )
        report(f"heat map data, {who}, this month ({len(heat['features'])} grids)", timings)
    for node, who, pname in ((district, "city", "last 365 days"), (subdistrict, "subdistrict", "this month")):
        period = periods[pname]
        qs = figures.cohort(user=admin, node=node, department=None, period=period)
        key = Substr("area_path", 1, (node.depth + 1) * 4)
        grouped = qs.annotate(child=key).values("child").annotate(**figures._aggregates(timezone.now())).order_by()
        sql, params = grouped.query.sql_with_params()
        line(f"plan, {who} rollup by child, {pname}", "\n    " + plan(sql, params))
    line("connection", connection.vendor)


if __name__ == "__main__":
    main()
