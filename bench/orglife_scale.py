"""Org life at scale: a quarter's compliance for many branches, written by the scan's own code and read
from the figures store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_orglife_bench \\
        .venv/bin/python bench/orglife_scale.py [--size small|city|province] [--calls N]

Sizes (branches): small 1,000 (make bench, SQLite var/bench_orglife_small.sqlite3); city 50,000;
province 200,000, 50 branches to a community, 10 communities to a subdistrict, one district. Migrates,
then builds unless the branches are there: the areas through the territory services, the branches in
bulk under the district committee. Then, timed once: the scan writing last quarter's obligations of
every branch with their facts (orglife.services.compliance.ensure, in chunks of 2,000 branches as the
daily scan runs), six in seven obligations marked held and the store rebuilt for the quarter (as
`manage.py facts --rebuild` after a bulk write). Then times, over --calls (median and p95): the
district's compliance for the quarter (orglife.figures.orglife_figures: due, held, met, per child and
the trend) and the same by kind (by_kind). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import time

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

PER_COMMUNITY = 50
PER_SUBDISTRICT = 10
CHUNK = 2000


def build(branches: int) -> None:
    from django.db import transaction

    from dangjian.demo.bulk import insert_tree
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.territory import services as territory_services

    if PartyOrg.objects.filter(org_type=OrgType.BRANCH).count() >= branches:
        return
    started = time.perf_counter()
    with transaction.atomic():
        district = territory_services.area_create(actor=None, level="district", name="组织生活测试区", parent=None)
        communities = []
        sub = None
        for n in range(-(-branches // PER_COMMUNITY)):
            if n % PER_SUBDISTRICT == 0:
                sub = territory_services.area_create(
                    actor=None, level="subdistrict", name=f"测试街道{n // PER_SUBDISTRICT:03d}", parent=district
                )
            communities.append(
                territory_services.area_create(actor=None, level="community", name=f"测试社区{n:04d}", parent=sub)
            )
    line("build: areas", f"{time.perf_counter() - started:.1f}", "s")
    started = time.perf_counter()
    with transaction.atomic():
        root = PartyOrg(
            org_type=OrgType.DISTRICT_COMMITTEE, name="中共组织生活测试区委员会", parent=None, area=district
        )
        level = [
            PartyOrg(
                org_type=OrgType.BRANCH,
                name=f"测试党支部{i:06d}",
                parent=root,
                area=communities[i // PER_COMMUNITY],
            )
            for i in range(branches)
        ]
        insert_tree(PartyOrg, [[root], level])
    line("build: branches", f"{time.perf_counter() - started:.1f}", "s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    branches = sized(args.size, 1000, 50000, 200000)
    setup_django(f"bench_orglife_{args.size}.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    quiet_debug()

    from django.db import transaction
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.core.figures import facts as store
    from dangjian.core.periods import Period
    from dangjian.orglife import calendar, figures
    from dangjian.orglife.models import BranchStart, Obligation
    from dangjian.orglife.rules import rules_by_district
    from dangjian.orglife.services import compliance
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.territory.models import Area

    line("database", describe_db())
    build(branches)
    district = Area.objects.get(name="组织生活测试区")
    today = timezone.localdate()
    quarter = calendar.quarter_of(calendar.quarter_of(today).start - datetime.timedelta(days=1))
    period = Period("custom", quarter.start, quarter.end)
    line("branches", PartyOrg.objects.filter(org_type=OrgType.BRANCH, area__path__startswith=district.path).count())
    if not BranchStart.objects.exists():  # founded long ago: every period of the quarter is owed
        ids = PartyOrg.objects.filter(org_type=OrgType.BRANCH).values_list("pk", flat=True)
        BranchStart.objects.bulk_create(
            [BranchStart(org_id=pk, founded_on=datetime.date(2020, 1, 1)) for pk in ids.iterator()], batch_size=5000
        )

    if not Obligation.objects.filter(period_start__gte=quarter.start, period_start__lte=quarter.end).exists():
        started = time.perf_counter()
        written, last = 0, 0
        while True:
            qs = PartyOrg.objects.filter(org_type=OrgType.BRANCH, pk__gt=last).order_by("pk")[:CHUNK]
            rows = compliance.branch_rows(qs)
            if not rows:
                break
            last = rows[-1]["pk"]
            with transaction.atomic():
                rules = rules_by_district({r["district_id"] for r in rows})
                written += compliance.ensure(
                    rows, rules, lambda rule: calendar.periods_between(rule.frequency, quarter.start, quarter.end)
                )
        elapsed = time.perf_counter() - started
        line("scan: obligations written", written)
        line("scan: write with facts", f"{elapsed:.1f}", "s")
        line("scan: per branch", f"{1000 * elapsed / max(1, branches):.2f}", "ms")
        started = time.perf_counter()
        Obligation.objects.annotate(m=Mod("id", 7)).exclude(m=0).update(held=F("due"))
        store.rebuild(["orglife_obligations"], since=datetime.date(quarter.start.year, 1, 1), until=quarter.end)
        line("mark held and rebuild facts", f"{time.perf_counter() - started:.1f}", "s")

    admin = User.objects.filter(username="bench_orglife").first() or User.objects.create_superuser(
        "bench_orglife", password="bench-only-password-123"
    )
    times, kinds = [], []
    report = None
    for _ in range(args.calls):
        started = time.perf_counter()
        report = figures.orglife_figures(user=admin, node=district, period=period)
        times.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        by_kind = figures.by_kind(district.path, period)
        kinds.append(1000 * (time.perf_counter() - started))
    assert report is not None
    t = report.total
    line("quarter", f"{quarter.start}..{quarter.end}")
    line("compliance: due", t.due)
    line("compliance: held", t.held)
    line("compliance: held rate", t.held_rate, "%")
    line("compliance: obligations not met", t.behind)
    line("compliance: by kind", "; ".join(f"{label} {f.held}/{f.due}" for label, f in by_kind))
    line("read district quarter (total, children, trend) median", f"{median(times):.1f}", "ms")
    line("read district quarter p95", f"{percentile(times, 95):.1f}", "ms")
    line("read by kind median", f"{median(kinds):.1f}", "ms")
    line("read by kind p95", f"{percentile(kinds, 95):.1f}", "ms")


if __name__ == "__main__":
    main()
