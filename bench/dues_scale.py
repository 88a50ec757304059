"""Dues at scale: the monthly dues run for every member, then the figures read from the store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_dues_bench \\
        .venv/bin/python bench/dues_scale.py [--size small|city|province]

Sizes (members / branches / communities): small 5,000 / 100 / 10 (make bench, SQLite:
var/bench_dues_<size>.sqlite3 unless DATABASE_URL is set); city 30,000 / 2,400 / 57 (梧州);
province 1,000,000 / 50,000 / 2,000. Migrates, then builds unless the members exist: a district, its
communities, branches under one committee per community (bulk insert), members spread over the
branches with a pay base each (salaried by pay, retirees, a few at the fixed amounts).

Then times the monthly run (services.dues_run: charge every member for a month, keep the figures
store in the same transactions) for one month, members per second; collects half the branches
(services.collect); and reads from the store: the district's due/paid/arrears for the month, its
children, and one community's branches (dimension org:<id>). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from decimal import Decimal

from _setup import add_size_argument, describe_db, line, quiet_debug, setup_django, sized


def build(members: int, branches: int, communities: int, seed: int) -> None:
    from django.db import transaction

    from dangjian.dues.models import PayBase, PayCategory
    from dangjian.orgs.models import PartyOrg
    from dangjian.orgs.services import org_create
    from dangjian.people.models import Member
    from dangjian.territory import services as territory_services
    from dangjian.territory.models import Area

    if Member.objects.count() >= members:
        return
    rng = random.Random(seed)
    a = territory_services.area_create
    district = Area.objects.filter(level="district").first() or a(
        actor=None, level="district", name="基准区", parent=None
    )
    sub = a(actor=None, level="subdistrict", name="基准街道", parent=district)
    top = org_create(actor=None, org_type="district_committee", name="基准区委", parent=None, area=district)
    work = org_create(actor=None, org_type="working_committee", name="基准街道党工委", parent=top, area=sub)
    per_community = max(1, branches // communities)
    branch_rows: list[PartyOrg] = []
    for c in range(communities):
        community = a(actor=None, level="community", name=f"基准社区{c:04d}", parent=sub)
        committee = org_create(
            actor=None, org_type="community_committee", name=f"基准社区{c:04d}党委", parent=work, area=community
        )
        for b in range(per_community):
            branch_rows.append(
                org_create(
                    actor=None, org_type="branch", name=f"社区{c:04d}第{b + 1}支部", parent=committee, area=community
                )
            )
    first = datetime.date(2026, 1, 1)
    with transaction.atomic():
        for start in range(0, members, 20_000):
            batch = [
                Member(
                    name=f"党员{i:07d}",
                    org=branch_rows[i % len(branch_rows)],
                    status="retired" if i % 6 == 0 else "in_service",
                )
                for i in range(start, min(members, start + 20_000))
            ]
            Member.objects.bulk_create(batch, batch_size=5000)
            bases = []
            for m in batch:
                if m.status == "retired":
                    bases.append(
                        PayBase(
                            member=m,
                            category=PayCategory.RETIRED,
                            monthly_pay=Decimal(rng.randrange(2500, 8000, 50)),
                            effective_month=first,
                            source="branch",
                        )
                    )
                elif rng.random() < 0.05:
                    bases.append(
                        PayBase(member=m, category=PayCategory.STUDENT, effective_month=first, source="branch")
                    )
                else:
                    bases.append(
                        PayBase(
                            member=m,
                            category=PayCategory.SALARIED,
                            monthly_pay=Decimal(rng.randrange(2500, 20000, 100)),
                            effective_month=first,
                            source="branch",
                        )
                    )
            PayBase.objects.bulk_create(bases, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    setup_django(f"bench_dues_{args.size}.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    quiet_debug()
    members, branches, communities = sized(args.size, (5_000, 100, 10), (30_000, 2_400, 57), (1_000_000, 50_000, 2_000))
    line("database", describe_db())
    started = time.perf_counter()
    build(members, branches, communities, args.seed)
    line("build", round(time.perf_counter() - started, 1), "s")

    from dangjian.core.figures import facts as store
    from dangjian.core.periods import Period
    from dangjian.dues import services
    from dangjian.dues.facts import DUE, PAID
    from dangjian.dues.models import DuesMonth
    from dangjian.orgs.models import PartyOrg
    from dangjian.territory.models import Area

    month = datetime.date(2026, 3, 1)
    DuesMonth.objects.filter(month=month).exists() and line("note", "month already charged; the run skips it")
    started = time.perf_counter()
    result = services.dues_run(month=month)
    run = time.perf_counter() - started
    line("members", members)
    line("monthly run charged", result["charged"], "members")
    line("monthly run", round(run, 2), "s")
    if result["charged"]:
        line("monthly run rate", round(result["charged"] / run), "members/s")

    orgs = list(PartyOrg.objects.filter(org_type="branch").select_related("area").order_by("pk"))
    half = orgs[: len(orgs) // 2]
    started = time.perf_counter()
    for org in half:
        dues = list(DuesMonth.objects.filter(org=org, month=month))
        services.collect(actor=None, org=org, dues=dues, key=f"bench:{month:%Y%m}:{org.pk}")
    collect = time.perf_counter() - started
    line("collections", len(half), "branches")
    line("collection per branch", round(1000 * collect / max(1, len(half)), 1), "ms")

    period = Period("custom", month, datetime.date(2026, 3, 31))
    district = Area.objects.filter(level="district").order_by("path").first()
    community = Area.objects.filter(level="community").order_by("path").first()
    assert district is not None and community is not None
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        due, paid = store.total(DUE, district.path, period), store.total(PAID, district.path, period)
        children = store.children(DUE, district.path, period)
        by_branch = store.by_dim(DUE, community.path, period, "org")
        timings.append(time.perf_counter() - started)
    line("district due", Decimal(due.amount) / 100, "yuan")
    line("district paid", Decimal(paid.amount) / 100, "yuan")
    line("district arrears", Decimal(due.amount - paid.amount) / 100, "yuan")
    line("district members charged", due["members"])
    line("district children", len(children))
    line("community branches read", len(by_branch))
    line("figures read (total+paid+children+branches) median", round(1000 * sorted(timings)[2], 1), "ms")


if __name__ == "__main__":
    main()
