"""四议两公开 and council figures read from the store of facts, at a district and at the whole territory.

    python bench/deliberation.py --size small                        # SQLite under var/, seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_delib_bench python bench/deliberation.py --size province

Sizes (communities / runs over the last year): small 50 / 500; city 1,000 / 10,000; province 5,000 /
50,000 (ten districts of ten subdistricts of fifty communities). Builds once, behind the signals as a
bulk load is: the territory (demo.bulk.insert_tree), a council per community with representatives near
the 40 % Party-share line (the counters only), runs with one to three matters and their amounts in
every state, then `facts --rebuild` of deliberation.runs and deliberation.councils (timed). Then times,
for the year to today, what the figures page reads (deliberation/views/figures.py):

- district: runs, matters, amount (total + per subdistrict) and the councils' Party share (stock total
  + per subdistrict), for the first district;
- all: the same at the root of the whole territory (every district).

Prints one figure a line (`name: value unit`); the counts it prints are checked against the raw rows
(a mismatch prints MISMATCH). Asserts nothing; other processes on the machine disturb the timings.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from decimal import Decimal

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

DISTRICT_NAME = "议事基准区"


def build(districts: int, subdistricts: int, communities: int, runs: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from dangjian.deliberation.models import Council, Matter, MatterKind, Run, RunStatus
    from dangjian.demo.bulk import bulk_insert, insert_tree
    from dangjian.territory.models import Area, Level

    with transaction.atomic():
        levels: list[list[Area]] = [[], [], []]
        for d in range(districts):
            district = Area(level=Level.DISTRICT, name=f"{DISTRICT_NAME}{d + 1}", parent=None)
            levels[0].append(district)
            for s in range(subdistricts):
                sub = Area(level=Level.SUBDISTRICT, name=f"基准{d + 1}-{s + 1}街道", parent=district)
                levels[1].append(sub)
                for c in range(communities):
                    levels[2].append(Area(level=Level.COMMUNITY, name=f"基准{d + 1}-{s + 1}-{c + 1}社区", parent=sub))
        insert_tree(Area, levels)
        kinds = {
            d.pk: MatterKind.objects.create(district=d, name="公益事业建设", must_go_through=True)
            for d in Area.objects.filter(level=Level.DISTRICT, name__startswith=DISTRICT_NAME)
        }
        community_rows = list(
            Area.objects.filter(level=Level.COMMUNITY, name__startswith="基准")
            .filter(parent__parent__name__startswith=DISTRICT_NAME)
            .values_list("pk", "path", "parent__parent_id")
        )
        today = timezone.localdate()
        councils = []
        for pk, path, _district in community_rows:
            reps = rng.randint(9, 25)
            party = round(reps * rng.uniform(0.3, 0.5))
            councils.append(
                Council(
                    community_id=pk, area_path=path, name="红色议事厅", term_start=today.replace(year=today.year - 1),
                    term_end=today.replace(year=today.year + 2), reps_count=reps, party_count=party,
                )
            )  # fmt: skip
        bulk_insert(Council, councils)
        now = timezone.now()
        statuses = [s for s in RunStatus.values if s != RunStatus.WITHDRAWN] + [RunStatus.CLOSED] * 4
        run_rows, matter_specs = [], []
        for i in range(runs):
            pk, path, district_id = community_rows[i % len(community_rows)]
            status = rng.choice(statuses)
            started = now - datetime.timedelta(days=rng.uniform(0, 364))
            amounts = [Decimal(rng.randint(1_000, 5_000_000)) for _ in range(rng.randint(1, 3))]
            run_rows.append(
                Run(
                    community_id=pk, area_path=path, title=f"基准事项{i}", status=status, started_at=started,
                    matter_count=len(amounts), amount_total=sum(amounts),
                )
            )  # fmt: skip
            matter_specs.append((kinds[district_id], amounts))
        bulk_insert(Run, run_rows)
        ids = list(Run.objects.filter(title__startswith="基准事项").order_by("pk").values_list("pk", flat=True))
        matters = [
            Matter(run_id=run_id, kind=kind, title=f"事项{j + 1}", amount=amount)
            for run_id, (kind, amounts) in zip(ids, matter_specs, strict=True)
            for j, amount in enumerate(amounts)
        ]
        bulk_insert(Matter, matters)


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
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--no-rebuild", action="store_true", help="keep the facts as they are")
    args = parser.parse_args()
    setup_django(f"bench_deliberation_{args.size}.sqlite3")
    quiet_debug()
    from django.core.management import call_command
    from django.db.models import Count, Sum
    from django.utils import timezone

    from dangjian.core.figures import facts
    from dangjian.core.periods import period_for
    from dangjian.deliberation.facts import COUNCILS, RUNS
    from dangjian.deliberation.models import Council, Run, RunStatus
    from dangjian.territory.models import Area, Level

    districts, subdistricts, communities = sized(args.size, (1, 5, 10), (1, 20, 50), (10, 10, 50))
    runs = sized(args.size, 500, 10_000, 50_000)
    call_command("migrate", verbosity=0)
    line("database", describe_db())
    first = Area.objects.filter(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1").first()
    if first is None:
        started = time.perf_counter()
        build(districts, subdistricts, communities, runs, random.Random(440402))
        line("build", round(time.perf_counter() - started, 1), "s")
        first = Area.objects.get(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1")
    line("communities", Council.objects.count())
    line("runs", Run.objects.count())
    if not args.no_rebuild:
        for subject in (RUNS, COUNCILS):
            started = time.perf_counter()
            written = facts.rebuild([subject.name])[subject.name]
            line(f"facts --rebuild {subject.name}", round(time.perf_counter() - started, 1), f"s ({written} fact rows)")

    today = timezone.localdate()
    period = period_for("custom", today - datetime.timedelta(days=364), today)

    def figures(path: str) -> tuple:
        total = facts.total(RUNS, path, period)
        per_child = facts.children(RUNS, path, period)
        councils = facts.stock_total(COUNCILS, path, on=today)
        council_cells = facts.stock_cells(COUNCILS, path, on=today, children=True)
        return total, per_child, councils, council_cells

    for label, path in (("district", first.path), ("all", "")):
        total, per_child, councils, _cells = figures(path)
        share = Decimal(councils["party_representatives"] * 100) / max(1, councils["representatives"])
        line(f"{label} runs", total["runs"])
        line(f"{label} matters", total["matters"])
        line(f"{label} amount", f"{Decimal(total.amount) / 100 / 10**8:.2f}", "亿元")
        line(f"{label} councils", councils["councils"])
        line(f"{label} party share", f"{share:.1f}", "%")
        line(f"{label} councils below 40%", councils["below_target"])
        raw = Run.objects.filter(area_path__startswith=path).exclude(status=RunStatus.WITHDRAWN)
        raw = raw.aggregate(n=Count("pk"), m=Sum("matter_count"), a=Sum("amount_total"))
        if (raw["n"], raw["m"] or 0, int((raw["a"] or 0) * 100)) != (total["runs"], total["matters"], total.amount):
            line(f"{label} MISMATCH raw", f"{raw['n']} runs, {raw['m']} matters, {raw['a']} yuan")
        timings = timed(lambda path=path: figures(path), args.calls)
        line(f"{label} figures median", round(median(timings), 1), "ms")
        line(f"{label} figures p95", round(percentile(timings, 95), 1), "ms")


if __name__ == "__main__":
    main()
