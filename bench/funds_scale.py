"""The funds ledger at scale: a year of allocations, commitments, payments, refunds and releases over
many communities, then the district's yearly funds figures read through the figures store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_hfunds_bench \\
        .venv/bin/python bench/funds_scale.py [--size small|city|province] [--calls N]

Sizes (communities / ledger entries): small 20 / 20,000 (make bench, SQLite var/bench_funds_small.sqlite3);
city 500 / 400,000; province 5,000 / 2,000,000. Migrates, then builds unless the ledger is there:
districts of 100 communities (10 subdistricts each); per community its guaranteed kinds allocated for
the year (one in ten left below its 服务群众专项经费 floor), 民生微实事资金, then projects that commit,
pay (some twice), get part of a payment refunded and release the rest, as the services would, written
with bulk inserts (the figures store is then rebuilt from the rows, as `manage.py facts --rebuild`
does after a bulk load). Every journal sums to zero and no account goes below its floor.

Then times, over --calls (median and p95): the province's (or district's) yearly funds figures
(funds.figures.fund_figures: allocated, committed, paid, refunded, released, per child and the trend),
one district's floor check per community and kind (funds.pages.floor_rows: the allocation stock read
as of today), and the same floor check as of the middle of the year. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
import uuid
from decimal import Decimal

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

BATCH = 5000
PER_DISTRICT = 100
PER_SUBDISTRICT = 10


def build(communities: int, entries_target: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from dangjian.core.figures import facts as store
    from dangjian.funds.models import Account, AccountKind, Entry, Journal, JournalKind
    from dangjian.funds.services import book
    from dangjian.territory import services as territory_services
    from dangjian.territory.models import Area

    if Entry.objects.count() >= entries_target:
        return
    if Entry.objects.exists():
        sys.exit("the database holds a partial ledger: drop it and run again")
    rng = random.Random(seed)
    started = time.perf_counter()
    year = timezone.localdate().year
    made = 0
    area_ids: list[tuple[int, str, int]] = []  # community id, path, district id
    districts: list[Area] = []
    with transaction.atomic():
        while made < communities:
            district = territory_services.area_create(
                actor=None, level="district", name=f"经费测试区{len(districts):03d}", parent=None
            )
            districts.append(district)
            book.ensure_kinds(district)
            sub = None
            for n in range(min(PER_DISTRICT, communities - made)):
                if n % PER_SUBDISTRICT == 0:
                    sub = territory_services.area_create(
                        actor=None, level="subdistrict", name=f"测试街道{n // PER_SUBDISTRICT:02d}", parent=district
                    )
                c = territory_services.area_create(actor=None, level="community", name=f"测试社区{n:03d}", parent=sub)
                area_ids.append((c.pk, c.path, district.pk))
                made += 1
    line("build: areas", f"{time.perf_counter() - started:.1f}", "s")

    # Accounts per community (fund and spent per kind) and per district (source per kind).
    kinds = ("service", "office", "member", "micro")
    accounts: list[Account] = []
    for d in districts:
        accounts += [Account(kind=AccountKind.SOURCE, area_id=d.pk, fund=k, year=year, floor=None) for k in kinds]
    for cid, _path, _d in area_ids:
        for k in kinds:
            accounts.append(Account(kind=AccountKind.FUND, area_id=cid, fund=k, year=year))
            accounts.append(Account(kind=AccountKind.SPENT, area_id=cid, fund=k, year=year))
    Account.objects.bulk_create(accounts, batch_size=BATCH)
    acc = {(a.kind, a.area_id, a.fund): a.pk for a in Account.objects.filter(year=year, holder="")}

    start_of_year = timezone.make_aware(datetime.datetime(year, 1, 1, 9))
    span = max((timezone.now() - start_of_year).total_seconds(), 86400)
    journals: list[Journal] = []
    lines: list[list[tuple[int, Decimal]]] = []
    holders: list[Account] = []
    entries = 0

    def at(fraction: float) -> datetime.datetime:
        return start_of_year + datetime.timedelta(seconds=span * min(fraction, 0.999))

    def journal(kind, cid, path, fund, amount, moment, moves, **extra):
        nonlocal entries
        journals.append(
            Journal(
                key=f"bench:{uuid.uuid4().hex}",
                kind=kind,
                area_id=cid,
                area_path=path,
                fund=fund,
                year=year,
                amount=amount,
                created_at=moment,
                **extra,
            )
        )
        lines.append(moves)
        entries += len(moves)

    floors = {"service": Decimal(100000), "office": Decimal(50000), "member": Decimal(12000)}
    per_community = max(1, (entries_target - len(area_ids) * 8) // (len(area_ids) * 8))  # entries per project ≈ 8
    for index, (cid, path, did) in enumerate(area_ids):
        for k, floor in floors.items():
            amount = floor * Decimal("0.6") if (k == "service" and index % 10 == 3) else floor
            journal(JournalKind.ALLOCATION, cid, path, k, amount, at(rng.random() * 0.1),
                    [(acc[("source", did, k)], -amount), (acc[("fund", cid, k)], amount)])  # fmt: skip
        micro = Decimal(60000) * per_community
        journal(JournalKind.ALLOCATION, cid, path, "micro", micro, at(rng.random() * 0.1),
                [(acc[("source", did, "micro")], -micro), (acc[("fund", cid, "micro")], micro)])  # fmt: skip
        for p in range(per_community):
            holder = Account(
                kind=AccountKind.COMMITMENT, area_id=cid, fund="micro", year=year, holder=f"bench:{cid}:{p}"
            )
            holders.append(holder)
            t = 0.1 + rng.random() * 0.5
            budget = Decimal(rng.randrange(20, 600) * 100)
            paid = (budget * Decimal(rng.randrange(50, 100)) / 100).quantize(Decimal("0.01"))
            first = (paid / 2).quantize(Decimal("0.01"))
            refund = (first / 10).quantize(Decimal("0.01"))
            project = [
                (JournalKind.COMMITMENT, budget, t, "fund", "commit"),
                (JournalKind.PAYMENT, first, t + 0.1, "commit", "spent"),
                (JournalKind.PAYMENT, paid - first, t + 0.2, "commit", "spent"),
                (JournalKind.REFUND, refund, t + 0.25, "spent", "commit"),
                (JournalKind.RELEASE, budget - paid + refund, t + 0.3, "commit", "fund"),
            ]
            for kind, amount, when, frm, to in project:
                if amount <= 0:
                    continue
                journal(kind, cid, path, "micro", amount, at(when), [(frm, -amount), (to, amount)],
                        holder=holder.holder)  # fmt: skip
    Account.objects.bulk_create(holders, batch_size=BATCH)
    by_holder = {a.holder: a.pk for a in Account.objects.filter(kind=AccountKind.COMMITMENT)}
    # Resolve the project journals' symbolic sides now that the commitment accounts have ids.
    for j, moves in zip(journals, lines, strict=True):
        if j.holder:
            resolved = []
            for side, amount in moves:
                if side == "fund":
                    resolved.append((acc[("fund", j.area_id, "micro")], amount))
                elif side == "spent":
                    resolved.append((acc[("spent", j.area_id, "micro")], amount))
                else:
                    resolved.append((by_holder[j.holder], amount))
            moves[:] = resolved
    # A refund names its payment: the journal just before it of the same project (a payment).
    refund_of: dict[int, int] = {}
    for i, j in enumerate(journals):
        if j.kind == JournalKind.REFUND:
            refund_of[i] = next(k for k in range(i - 1, -1, -1) if journals[k].kind == JournalKind.PAYMENT)
    with transaction.atomic():
        order = [i for i in range(len(journals)) if i not in refund_of] + sorted(refund_of)
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            for i in part:
                if i in refund_of:
                    journals[i].refunds_id = journals[refund_of[i]].pk
            Journal.objects.bulk_create([journals[i] for i in part])
            rows = [Entry(journal_id=journals[i].pk, account_id=a, amount=amt) for i in part for a, amt in lines[i]]
            Entry.objects.bulk_create(rows, batch_size=BATCH)
        # The stored balances, from the entries (as post would have moved them).
        from django.db.models import OuterRef, Subquery, Sum
        from django.db.models.functions import Coalesce

        sums = Entry.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(s=Sum("amount"))
        Account._base_manager.update(balance=Coalesce(Subquery(sums.values("s")[:1]), Decimal(0)))
    line("build: journals", len(journals))
    line("build: ledger entries", entries)
    line("build: ledger", f"{time.perf_counter() - started:.1f}", "s")
    began = time.perf_counter()
    store.rebuild(["funds", "fund_alloc"])
    line("build: figures store rebuilt", f"{time.perf_counter() - began:.1f}", "s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    communities = sized(args.size, 20, 500, 5000)
    entries = sized(args.size, 20_000, 400_000, 2_000_000)
    calls = args.calls or sized(args.size, 20, 30, 30)
    setup_django(f"bench_funds_{args.size}.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    quiet_debug()
    line("database", describe_db())
    build(communities, entries, args.seed)

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dangjian.core.periods import Period
    from dangjian.funds import pages
    from dangjian.funds.figures import fund_figures
    from dangjian.funds.models import Entry, Journal
    from dangjian.territory.models import Area, Level

    User = get_user_model()
    admin = User.objects.filter(username="bench_funds_root").first() or User.objects.create_superuser(
        "bench_funds_root", password=None
    )
    today = timezone.localdate()
    year = Period(key="year", date_from=datetime.date(today.year, 1, 1), date_to=today)
    district = Area.objects.filter(level=Level.DISTRICT, name__startswith="经费测试区").order_by("path").first()
    line("ledger entries", Entry.objects.count())
    line("journals", Journal.objects.count())
    line("communities", Area.objects.filter(level=Level.COMMUNITY, path__startswith="").count())

    def timed(fn) -> list[float]:
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return times

    report = fund_figures(user=admin, node=None, period=year)
    line("figures: allocated this year (all districts)", report.total.allocated, "元")
    line("figures: actually spent this year (all districts)", report.total.spent, "元")
    t = timed(lambda: fund_figures(user=admin, node=None, period=year))
    line("figures all districts: median", f"{median(t):.1f}", "ms")
    line("figures all districts: p95", f"{percentile(t, 95):.1f}", "ms")
    t = timed(lambda: fund_figures(user=admin, node=district, period=year))
    line("figures one district (children, trend): median", f"{median(t):.1f}", "ms")
    line("figures one district (children, trend): p95", f"{percentile(t, 95):.1f}", "ms")
    rows = pages.floor_rows(district, district, today.year)
    line("floor check: areas", len(rows))
    line("floor check: areas below a floor", sum(1 for r in rows if r.short))
    t = timed(lambda: pages.floor_rows(district, district, today.year))
    line("floor check one district (stock today): median", f"{median(t):.1f}", "ms")
    line("floor check one district (stock today): p95", f"{percentile(t, 95):.1f}", "ms")
    mid = datetime.date(today.year, 7, 1) if today > datetime.date(today.year, 7, 1) else today
    t = timed(lambda: pages.floor_rows(district, district, today.year, on=mid))
    line(f"floor check one district (stock on {mid}): median", f"{median(t):.1f}", "ms")


if __name__ == "__main__":
    main()
