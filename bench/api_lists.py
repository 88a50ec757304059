"""The JSON API's list endpoints beside the same pages: p95 of /api/v1/cases, /api/v1/demands and
/api/v1/members next to the workbench's /cases/desk/, /demands/desk/ and /people/members/.

    .venv/bin/python bench/api_lists.py --size small          # SQLite, a few thousand rows, ~1 min
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_bench_api \\
        .venv/bin/python bench/api_lists.py --size city       # 1,000,000 cases, 200,000 demands, 30,000 members

On var/bench_api.sqlite3 unless DATABASE_URL is set. Builds, if the database does not hold them yet, the
city scale (dangjian.demo.bulk.build_scale, as bench/cases_scale.py), its cases and demands (the demo's
bulk generators, COPY on PostgreSQL) and members in the busiest community's organizations. A community
worker of that community and the district admin each get an API token; every list is timed through
gunicorn on loopback (DEBUG off), the API with `Authorization: Bearer`, the page signed in: page 1 and a
deep page by cursor (half-way down, at most 100,000 rows deep). One figure a line; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import urllib.request

from _setup import Server, add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized
from cases_scale import PASSWORD, ensure_accounts, ensure_city, ensure_departments

MEMBER_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def report(label: str, timings: list[float]) -> None:
    line(f"{label} p95", f"{percentile(timings, 95):.1f}", "ms")
    line(f"{label} median", f"{median(timings):.1f}", "ms")


def ensure_members(total: int, community) -> int:
    """Members of the community's organizations living in it (bulk: no signals, no facts needed here)."""
    from dangjian.orgs.models import PartyOrg
    from dangjian.people.models import Member

    have = Member.objects.filter(home_community=community).count()
    orgs = list(PartyOrg.objects.filter(area__path__startswith=community.path).values_list("pk", flat=True))
    if have >= total or not orgs:
        return have
    rows = []
    for i in range(have, total):
        name = MEMBER_NAMES[i % len(MEMBER_NAMES)] + f"党员{i:07d}"
        rows.append(
            Member(name=name, pinyin="dy", mobile=f"139{i:08d}", org_id=orgs[i % len(orgs)], home_community=community)
        )
    Member.objects.bulk_create(rows, batch_size=5000)
    return total


def deep_cursor(parts, ordering) -> str | None:
    """A cursor half-way down a list (at most 100,000 rows deep), as a person paging far would hold."""
    from dangjian.core import keyset

    part = parts[0] if isinstance(parts, list) else parts
    total = int(keyset.capped_counts({"all": [part]}, cap=200_001)["all"])
    depth = min(total // 2, 100_000)
    if depth < 1:
        return None
    row = part.order_by(*ordering)[depth : depth + 1].first()
    return keyset.cursor_of(row, ordering) if row is not None else None


def token_opener(user) -> urllib.request.OpenerDirector:  # noqa: ANN001 - a user
    from dangjian.api.services import token_issue

    _row, token = token_issue(actor=user, name="bench")
    opener = urllib.request.build_opener()
    opener.addheaders = [("Authorization", f"Bearer {token}"), ("Accept", "application/json")]
    return opener


def lists(user) -> list[tuple[str, str, str, str | None]]:  # noqa: ANN001 - a user
    """(name, API path, page path, deep cursor) of each list timed for `user`."""
    from django.urls import reverse

    from dangjian.cases import selectors as case_selectors
    from dangjian.demands import selectors as demand_selectors
    from dangjian.people import selectors as people_selectors

    return [
        (
            "cases",
            "/api/v1/cases?limit=20",
            reverse("cases:list") + "?",
            deep_cursor(case_selectors.list_parts(user), case_selectors.LIST_ORDER),
        ),
        (
            "demands",
            "/api/v1/demands?tab=all&limit=20",
            reverse("demands:desk") + "?tab=all",
            deep_cursor(demand_selectors.desk_list(user), demand_selectors.DESK_ORDERING),
        ),
        (
            "members",
            "/api/v1/members?limit=25",
            reverse("people:member_list") + "?",
            deep_cursor(people_selectors.member_list(user), people_selectors.MEMBER_ORDER),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0, help="timed calls per list (default: by size)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n_cases = sized(args.size, 3_000, 1_000_000, 10_000_000)
    n_demands = sized(args.size, 2_000, 200_000, 2_000_000)
    n_members = sized(args.size, 3_000, 30_000, 100_000)
    calls = args.calls or sized(args.size, 15, 40, 40)

    setup_django("bench_api.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.db.models import Count

    from dangjian.cases.models import Case
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
        line("cases written", f"{time.perf_counter() - started:.1f}", "s")
    have = Demand.objects.filter(area_path__startswith=district.path).count()
    if have < n_demands:
        started = time.perf_counter()
        generate_demands(n_demands - have, root=district, seed=args.seed + have, progress=args.size != "small")
        line("demands written", f"{time.perf_counter() - started:.1f}", "s")
    busiest = (
        Case.objects.filter(district=district).values("community_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    community = Area.objects.get(pk=busiest["community_id"])
    line("members in the busiest community", ensure_members(n_members, community))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("cases_case", "demands_demand", "people_member"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    users = ensure_accounts(district, community)
    quiet_debug()

    with Server() as server:
        for role, username in (("community_worker", "bench_sq"), ("district_admin", "bench_qu")):
            user = users[role]
            api = token_opener(user)
            session = server.session(username, PASSWORD)
            for name, api_path, page_path, cursor in lists(user):
                targets = [("page 1", api_path, page_path)]
                if cursor:
                    targets.append(("deep", f"{api_path}&cursor={cursor}", f"{page_path}&after={cursor}"))
                for where, api_url, page_url in targets:
                    for kind, opener, url in (("api", api, api_url), ("page", session, page_url)):
                        server.time_page(opener, url, 2)  # warm up
                        report(f"{role} {name} {where} {kind}", server.time_page(opener, url, calls))


if __name__ == "__main__":
    main()
