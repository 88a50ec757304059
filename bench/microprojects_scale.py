"""民生微实事 at scale: the projects list page and the figures read from the store of facts, at a
community, a district and the whole territory.

    python bench/microprojects_scale.py --size small                  # SQLite under var/, seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_proj_bench python bench/microprojects_scale.py --size city

Sizes (communities / projects over the last year): small 50 / 2,000; city 1,000 / 20,000; province
5,000 / 200,000 (ten districts of ten subdistricts of fifty communities). Builds once, behind the
signals as a bulk load is: the territory (demo.bulk.insert_tree), projects of every kind, source and
state with the counters and amounts the services keep (budget committed, paid, votes, claims,
accepted_at), then `facts --rebuild` of microprojects.projects and microprojects.budget (timed).

Then times, for the year to today:
- the figures the page reads (views/figures.node_figures: totals, by kind and status, the median days
  to acceptance, plus the per-child split) at one community, the first district and the root;
- the desk's projects list page (keyset, 20 a page) for a community worker and a district admin,
  first page, a status filter and the page after the first: wall time in this process (Django's
  test client, DEBUG off) and its SQL query count.

Prints one figure a line (`name: value unit`); the totals it prints are checked against the raw rows
(a mismatch prints MISMATCH). Asserts nothing; other processes on the machine disturb the timings.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from decimal import Decimal

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

DISTRICT_NAME = "微实事基准区"
PASSWORD = "bench-microprojects-1"


def build(districts: int, subdistricts: int, communities: int, projects: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from dangjian.demo.bulk import bulk_insert, insert_tree
    from dangjian.microprojects.models import Kind, Project, Source, Status
    from dangjian.territory.models import Area, Level

    with transaction.atomic():
        levels: list[list[Area]] = [[], [], []]
        for d in range(districts):
            district = Area(level=Level.DISTRICT, name=f"{DISTRICT_NAME}{d + 1}", parent=None)
            levels[0].append(district)
            for s in range(subdistricts):
                sub = Area(level=Level.SUBDISTRICT, name=f"微{d + 1}-{s + 1}街道", parent=district)
                levels[1].append(sub)
                for c in range(communities):
                    levels[2].append(Area(level=Level.COMMUNITY, name=f"微{d + 1}-{s + 1}-{c + 1}社区", parent=sub))
        insert_tree(Area, levels)
        community_rows = list(
            Area.objects.filter(level=Level.COMMUNITY, parent__parent__name__startswith=DISTRICT_NAME).values_list(
                "pk", "path"
            )
        )
        now = timezone.now()
        year = timezone.localdate().year
        statuses = [s for s in Status.values if s != Status.WITHDRAWN] + [Status.CLOSED] * 4 + [Status.WITHDRAWN]
        sources = list(Source.values) + [Source.RESIDENT] * 4
        caps = {Kind.WORKS: 500_000, Kind.SERVICES: 200_000, Kind.GOODS: 200_000}
        established = {Status.IMPLEMENTING, Status.ACCEPTING, Status.PUBLICIZING, Status.CLOSED}
        accepted = {Status.PUBLICIZING, Status.CLOSED}
        rows = []
        for i in range(projects):
            pk, path = community_rows[i % len(community_rows)]
            kind, status = rng.choice(Kind.values), rng.choice(statuses)
            proposed = now - datetime.timedelta(days=rng.uniform(0, 364))
            estimate = Decimal(rng.randint(5, caps[kind] // 1000) * 1000)
            committed = estimate if status in established else Decimal(0)
            paid = Decimal(0)
            if status in accepted:
                paid = (committed * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
            elif status in established:
                paid = (committed * Decimal(rng.randint(0, 60)) / 100).quantize(Decimal("0.01"))
            released = committed - paid if status == Status.CLOSED else Decimal(0)
            done = proposed + datetime.timedelta(days=rng.uniform(30, 150)) if status in accepted else None
            votes = rng.randint(3, 30) if status in accepted or status == Status.ACCEPTING else 0
            rows.append(
                Project(
                    community_id=pk, area_path=path, title=f"基准微实事{i}", kind=kind, source=rng.choice(sources),
                    estimated_amount=estimate, status=status, proposed_at=proposed, year=year,
                    budget_committed=committed, amount_paid=paid, amount_released=released,
                    established_at=proposed + datetime.timedelta(days=20) if committed else None,
                    accepted_at=min(done, now) if done else None, votes_count=votes,
                    satisfied_count=round(votes * rng.uniform(0.7, 1.0)), claims_count=rng.randint(0, 3),
                    implementer_name="基准施工单位" if committed else "",
                )
            )  # fmt: skip
        bulk_insert(Project, rows)


def accounts(district, community) -> dict:
    from dangjian.accounts import services as account_services
    from dangjian.accounts.models import User

    users = {}
    for role, username, area in (
        ("community_worker", "bench_mp_sq", community),
        ("district_admin", "bench_mp_qu", district),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                actor=None, username=username, password=PASSWORD, full_name=username, validate=False
            )
            account_services.role_assign(actor=None, user=user, role=role, area=area)
        users[role] = user
    return users


def timed(fn, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--no-rebuild", action="store_true", help="keep the facts as they are")
    args = parser.parse_args()
    setup_django(f"bench_microprojects_{args.size}.sqlite3")
    quiet_debug()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count, Sum
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dangjian.core.figures import facts
    from dangjian.core.keyset import cursor_of
    from dangjian.core.periods import period_for
    from dangjian.microprojects import selectors
    from dangjian.microprojects.facts import BUDGET, PROJECTS
    from dangjian.microprojects.models import Project, Status
    from dangjian.microprojects.views.figures import node_figures
    from dangjian.territory.models import Area, Level

    districts, subdistricts, communities = sized(args.size, (1, 5, 10), (1, 20, 50), (10, 10, 50))
    projects = sized(args.size, 2_000, 20_000, 200_000)
    call_command("migrate", verbosity=0)
    line("database", describe_db())
    first = Area.objects.filter(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1").first()
    if first is None:
        started = time.perf_counter()
        build(districts, subdistricts, communities, projects, random.Random(440402))
        line("build", round(time.perf_counter() - started, 1), "s")
        first = Area.objects.get(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1")
    line("communities", Area.objects.filter(level=Level.COMMUNITY, path__startswith="").count())
    line("projects", Project.objects.count())
    if not args.no_rebuild:
        for subject in (PROJECTS, BUDGET):
            started = time.perf_counter()
            written = facts.rebuild([subject.name])[subject.name]
            line(f"facts --rebuild {subject.name}", round(time.perf_counter() - started, 1), f"s ({written} fact rows)")

    today = timezone.localdate()
    period = period_for("custom", today - datetime.timedelta(days=364), today)
    community = Area.objects.filter(level=Level.COMMUNITY, path__startswith=first.path).order_by("path").first()
    assert community is not None

    def figures(path: str) -> tuple:
        return node_figures(path, period), facts.children(PROJECTS, path, period), facts.children(BUDGET, path, period)

    for label, path in (("community", community.path), ("district", first.path), ("all", "")):
        total, _children, _budget = figures(path)
        line(f"{label} projects", total["projects"])
        line(f"{label} from residents' proposals", f"{total['resident_share']}", "%")
        line(f"{label} budget committed", f"{total['committed'] / 10_000:.2f}", "万元")
        line(f"{label} actually spent", f"{total['spent'] / 10_000:.2f}", "万元")
        line(f"{label} average days 征集→验收", total["avg_days"], "days")
        line(f"{label} satisfaction", total["satisfaction"], "%")
        raw = Project.objects.filter(area_path__startswith=path).exclude(status=Status.WITHDRAWN)
        raw = raw.aggregate(n=Count("pk"), paid=Sum("amount_paid"), committed=Sum("budget_committed"))
        if (raw["n"], raw["paid"] or 0, raw["committed"] or 0) != (
            total["projects"],
            total["spent"],
            total["committed"],
        ):
            line(f"{label} MISMATCH raw", f"{raw['n']} projects, {raw['paid']} paid, {raw['committed']} committed")
        timings = timed(lambda path=path: figures(path), args.calls)
        line(f"{label} figures median", round(median(timings), 1), "ms")
        line(f"{label} figures p95", round(percentile(timings, 95), 1), "ms")

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = accounts(first, community)
    desk = reverse("microprojects:list")
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        rows = list(selectors.projects(user).order_by(*selectors.PROJECT_ORDER)[: 20 * 10])
        pages = [("first page", ""), ("status 实施中", f"status={Status.IMPLEMENTING}"), ("page 2", "page=2")]
        if len(rows) == 200:  # a deep page, by the cursor of the tenth page's last row
            pages.append(("after page 10 (cursor)", f"after={cursor_of(rows[-1], selectors.PROJECT_ORDER)}"))
        for label, query in pages:
            url = f"{desk}?{query}"
            assert client.get(url).status_code == 200
            timings = timed(lambda url=url, client=client: client.get(url), args.calls)
            line(f"{role} list page · {label} median", round(median(timings), 1), "ms")
            line(f"{role} list page · {label} p95", round(percentile(timings, 95), 1), "ms")
            line(f"{role} list page · {label} SQL queries", page_query_count(user, url))


if __name__ == "__main__":
    main()
