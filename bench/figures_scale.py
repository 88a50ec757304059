"""Figures from the store of facts: rebuild time, the city-year and subdistrict rollups, the pages.

Builds the city territory (demo.bulk.build_scale), cases and demands over the last year
(demo.bulk_cases.generate_cases / bulk_demands.generate_demands, behind the signals as a bulk load
is), then `facts --rebuild` (timed: the rows written per subject), then times:
- case_figures and demand_figures for the whole city this year and for the busiest subdistrict
  (total + children + departments + trend, all read from core_dailyfact), goal p95 <= 200 ms;
- the two figures pages through gunicorn on loopback (signed in, DEBUG off);
- the nightly check of yesterday (reconcile without repair).
Prints one figure a line; asserts nothing. Other processes on the machine disturb the timings.

    python bench/figures_scale.py --size small                       # SQLite under var/, seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_facts_bench python bench/figures_scale.py --size city
"""

from __future__ import annotations

import argparse
import datetime
import time

from _setup import Server, add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

PASSWORD = "Bench-pass-2026"
USERNAME = "bench_fg_qu"
GOAL_MS = 200  # city case figures for this year (issue 13)


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


def ensure_departments(district) -> None:
    from dangjian.units.models import Department, DepartmentKind

    for kind in (DepartmentKind.POLICE, DepartmentKind.CITY_MANAGEMENT, DepartmentKind.SANITATION):
        name = f"{district.name}{DepartmentKind(kind).label}部门"
        Department.objects.get_or_create(area=district, name=name, defaults={"kind": kind})


def ensure_admin(district):
    from dangjian.accounts.models import User
    from dangjian.accounts.services import role_assign, user_create

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = user_create(actor=None, username=USERNAME, password=PASSWORD, validate=False)
        role_assign(actor=None, user=user, role="district_admin", area=district)
    return User.objects.get(pk=user.pk)


def report(label, timings, goal=None):
    beside = f", goal p95 <= {goal} ms" if goal else ""
    line(label, f"median {median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms (n={len(timings)}){beside}")


def timed(fn, calls):
    fn()  # warm: the first call pays for imports and the connection
    timings = []
    for _k in range(calls):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0, help="timed calls per figure (default: by size)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-rebuild", action="store_true", help="keep the facts as they are")
    args = parser.parse_args()
    n_cases = sized(args.size, 3_000, 1_000_000, 10_000_000)
    n_demands = sized(args.size, 1_000, 300_000, 3_000_000)
    calls = args.calls or sized(args.size, 5, 20, 20)

    setup_django("bench_figures.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from dangjian.cases.figures import selectors as case_figures
    from dangjian.cases.models import Case
    from dangjian.core import periods
    from dangjian.core.figures import facts
    from dangjian.core.models import DailyFact
    from dangjian.demands.insight import figures as demand_figures
    from dangjian.demands.models import Demand
    from dangjian.demo.bulk_cases import generate_cases
    from dangjian.demo.bulk_demands import generate_demands
    from dangjian.territory.models import Area

    line("database", describe_db())
    district = ensure_city()
    ensure_departments(district)
    have = Case.objects.filter(district=district).count()
    if have < n_cases:
        started = time.perf_counter()
        generate_cases(n_cases - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line(
            "cases written (bulk, behind the signals)", f"{n_cases - have} in {time.perf_counter() - started:.1f}", "s"
        )
    have = Demand.objects.filter(area_path__startswith=district.path).count()
    if have < n_demands:
        started = time.perf_counter()
        generate_demands(n_demands - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("demands written (bulk)", f"{n_demands - have} in {time.perf_counter() - started:.1f}", "s")
    line("cases in the city", Case.objects.filter(district=district).count())
    line("demands in the city", Demand.objects.filter(area_path__startswith=district.path).count())

    if not args.no_rebuild:
        for name in ("cases", "demands"):
            started = time.perf_counter()
            written = facts.rebuild([name])[name]
            line(f"facts --rebuild {name}", f"{time.perf_counter() - started:.1f} s ({written} fact rows)")
    line("fact rows in the store", DailyFact.objects.count())

    admin = ensure_admin(district)
    busiest = (
        Case.objects.filter(district=district).values("subdistrict_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    subdistrict = Area.objects.get(pk=busiest["subdistrict_id"])
    quiet_debug()
    this_year = periods.period_for("this_year")
    this_month = periods.period_for("this_month")

    for label, period in (("this year", this_year), ("this month", this_month)):
        for where, node in (("city", district), (f"subdistrict {subdistrict.name}", subdistrict)):

            def cases(node=node, period=period):
                return case_figures.case_figures(
                    user=admin, node=node, date_from=period.date_from, date_to=period.date_to, period_key=period.key
                )

            timings = timed(cases, calls)
            t = cases().total
            shown = f"received {t.received}, closed {t.closed}, median {t.median_hours} h"
            report(
                f"case figures · {where}, {label} ({shown})",
                timings,
                GOAL_MS if where == "city" and period is this_year else None,
            )

            def demands(node=node, period=period):
                return demand_figures.demand_figures(user=admin, node=node, period=period)

            timings = timed(demands, calls)
            report(f"demand figures · {where}, {label} (received {demands().total.received})", timings)

    try:
        with Server() as server:
            session = server.session(USERNAME, PASSWORD)
            for name, label in (("cases:figures", "case figures page"), ("demands:figures", "demand figures page")):
                path = f"{reverse(name)}?period=this_year"
                server.time_page(session, path, 2)
                report(f"{label} · city, this year, gunicorn", server.time_page(session, path, calls), GOAL_MS)
    except Exception as exc:  # noqa: BLE001 - a page that cannot be served is a line, not a crash
        line("figures pages through gunicorn", f"not measured ({type(exc).__name__}: {exc})")

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    started = time.perf_counter()
    drift = facts.reconcile(yesterday, repair=False)
    line(
        f"nightly check of {yesterday} (both subjects)",
        f"{time.perf_counter() - started:.2f} s, {len(drift)} differences",
    )


if __name__ == "__main__":
    main()
