"""The cockpit's server time: the whole page, one group (the wall's refresh) and a figure's drill-down.

Builds the city (or province) territory (demo.bulk.build_scale) and cases and demands over the last
year behind the signals (demo.bulk_cases / bulk_demands), rebuilds their facts, then times in this
process (Django's test client, DEBUG off, signed in as the district admin) the cockpit of the district
and of its busiest subdistrict, the 治理 group alone and the 受理诉求 drill-down; and counts the page's
queries. The other subjects read whatever the store holds (zeros where the bulk builders write none):
their reads cost the same either way, one sum per subject and date. Prints one figure a line;
asserts nothing. Other processes on the machine disturb the timings.

    python bench/cockpit_scale.py --size small                       # SQLite under var/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_cockpit python bench/cockpit_scale.py --size city
"""

from __future__ import annotations

import argparse
import time

from _setup import (
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
USERNAME = "bench_cockpit_qu"
GOAL_MS = 300  # the whole cockpit at province size (issue 20)


def biggest_district(scale: str):
    from dangjian.demo.bulk import SCALES, build_scale
    from dangjian.territory.models import Area, Level

    def pick():
        best, most = None, -1
        for district in Area.objects.filter(level=Level.DISTRICT).order_by("path"):
            n = district.subtree().filter(level=Level.GRID).count()
            if n > most:
                best, most = district, n
        return best, most

    district, grids = pick()
    if district is None or grids < SCALES[scale].grids // max(SCALES[scale].districts, 1):
        started = time.perf_counter()
        build_scale(scale, seed=440402, progress=False)
        line(f"{scale} scale built (bulk)", f"{time.perf_counter() - started:.1f}", "s")
        district, grids = pick()
    return district


def ensure_admin(district):
    from dangjian.accounts.models import User
    from dangjian.accounts.services import role_assign, user_create

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = user_create(actor=None, username=USERNAME, password=PASSWORD, validate=False)
        role_assign(actor=None, user=user, role="district_admin", area=district)
    return User.objects.get(pk=user.pk)


def timed(client, path, calls):
    client.get(path)  # warm
    timings = []
    for _k in range(calls):
        t0 = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def report(label, timings, goal=None):
    beside = f", goal p95 <= {goal} ms" if goal else ""
    line(label, f"median {median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms (n={len(timings)}){beside}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0, help="timed calls per page (default: by size)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-rebuild", action="store_true", help="keep the facts as they are")
    args = parser.parse_args()
    scale = "province" if args.size == "province" else "city"
    n_cases = sized(args.size, 3_000, 1_000_000, 10_000_000)
    n_demands = sized(args.size, 1_000, 300_000, 3_000_000)
    calls = args.calls or sized(args.size, 5, 20, 20)

    setup_django("bench_cockpit.sqlite3")
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from dangjian.cases.models import Case
    from dangjian.core.figures import facts
    from dangjian.core.models import DailyFact
    from dangjian.demands.models import Demand
    from dangjian.demo.bulk_cases import generate_cases
    from dangjian.demo.bulk_demands import generate_demands
    from dangjian.territory.models import Area

    line("database", describe_db())
    district = biggest_district(scale)
    have = Case.objects.filter(district=district).count()
    if have < n_cases:
        started = time.perf_counter()
        generate_cases(n_cases - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("cases written (bulk)", f"{n_cases - have} in {time.perf_counter() - started:.1f}", "s")
    have = Demand.objects.filter(area_path__startswith=district.path).count()
    if have < n_demands:
        started = time.perf_counter()
        generate_demands(n_demands - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("demands written (bulk)", f"{n_demands - have} in {time.perf_counter() - started:.1f}", "s")
    line("cases in the district", Case.objects.filter(district=district).count())
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
    subdistrict = Area.objects.get(pk=busiest["subdistrict_id"]) if busiest else district
    quiet_debug()
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(admin)
    for where, node in (("district", district), (f"subdistrict {subdistrict.name}", subdistrict)):
        path = reverse("cockpit:node", args=[node.public_id])
        report(f"cockpit page · {where}", timed(client, path, calls), GOAL_MS)
        report(f"cockpit page · {where}, wall", timed(client, path + "?wall=1", calls), GOAL_MS)
        group = reverse("cockpit:group", args=[node.public_id, "governance"])
        report(f"cockpit group 治理 · {where} (the wall's refresh)", timed(client, group, calls))
        figure = reverse("cockpit:figure", args=[node.public_id, "cases_received"])
        report(f"cockpit drill-down 受理诉求 · {where}", timed(client, figure, calls))
    line("cockpit page queries · district", page_query_count(admin, reverse("cockpit:node", args=[district.public_id])))


if __name__ == "__main__":
    main()
