"""The workforce at scale: the pay bill what-if (a draft against the table in force, per community, one
grouped query then priced per group) and the workforce figures (a stock of the figures store, with the
birth-year dimension) for a district and for everything.

    python bench/workforce_scale.py --size small          # SQLite under var/, seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_workforce_bench python bench/workforce_scale.py --size province

Sizes: small 1 district × 5 × 10 communities, 1,000 workers; city 1 × 20 × 50, 20,000; province
10 × 10 × 50 (5,000 communities), 100,000 workers.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

DISTRICT_NAME = "基准队伍区"


def build(districts: int, subdistricts: int, communities: int, workers: int, rng: random.Random) -> None:
    from django.db import transaction

    from dangjian.core.figures import facts
    from dangjian.demo.bulk import bulk_insert, insert_tree
    from dangjian.territory.models import Area, Level
    from dangjian.workforce.models import LadderStatus, Worker
    from dangjian.workforce.services import ladders

    with transaction.atomic():
        levels: list[list[Area]] = [[], [], []]
        for d in range(districts):
            district = Area(level=Level.DISTRICT, name=f"{DISTRICT_NAME}{d + 1}", parent=None)
            levels[0].append(district)
            for s in range(subdistricts):
                sub = Area(level=Level.SUBDISTRICT, name=f"队伍{d + 1}-{s + 1}街道", parent=district)
                levels[1].append(sub)
                for c in range(communities):
                    levels[2].append(Area(level=Level.COMMUNITY, name=f"队伍{d + 1}-{s + 1}-{c + 1}社区", parent=sub))
        insert_tree(Area, levels)
        posts = {}
        for d in Area.objects.filter(level=Level.DISTRICT, name__startswith=DISTRICT_NAME):
            ladder = ladders.ladder_from_template(
                actor=None, district=d, template="3x18", effective_from=datetime.date(2020, 1, 1),
                status=LadderStatus.ACTIVE,
            )  # fmt: skip
            ladders.ladder_copy_draft(actor=None, ladder=ladder)
            posts[d.path] = list(ladder.posts.all())
        rows = list(
            Area.objects.filter(level=Level.COMMUNITY, name__startswith="队伍")
            .values_list("pk", "path")
            .order_by("path")
        )
        kinds = ["secretary", "committee", "professional", "professional", "grid", "grid", "generalist"]
        out = []
        for i in range(workers):
            pk, path = rows[i % len(rows)]
            kind = kinds[i % len(kinds)]
            post = posts[path[:4]][0 if kind == "secretary" else 1 if kind == "committee" else 2]
            out.append(
                Worker(
                    area_id=pk, area_path=path, name=f"工作者{i}",
                    birth_date=datetime.date(rng.randint(1965, 1998), 6, 1),
                    education=rng.choice(["below", "college", "bachelor", "bachelor", "master"]), kind=kind,
                    is_committee=kind in ("secretary", "committee"),
                    dual_role=kind == "secretary" and rng.random() < 0.9,
                    placed=rng.random() < 0.8, joined_on=datetime.date(2015, 1, 1), post=post,
                    grade=rng.randint(post.min_grade, post.max_grade), grade_since=datetime.date(2021, 1, 1),
                )
            )  # fmt: skip
        bulk_insert(Worker, out)
        facts.record_bulk(
            Worker, list(Worker.objects.filter(area_path__in=[p for _pk, p in rows]).values_list("pk", flat=True))
        )


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
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    setup_django(f"bench_workforce_{args.size}.sqlite3")
    quiet_debug()
    from django.core.management import call_command
    from django.utils import timezone

    from dangjian.territory.models import Area, Level
    from dangjian.workforce import selectors
    from dangjian.workforce.models import Ladder, LadderStatus, Worker

    districts, subdistricts, communities = sized(args.size, (1, 5, 10), (1, 20, 50), (10, 10, 50))
    workers = sized(args.size, 1_000, 20_000, 100_000)
    call_command("migrate", verbosity=0)
    line("database", describe_db())
    first = Area.objects.filter(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1").first()
    if first is None:
        started = time.perf_counter()
        build(districts, subdistricts, communities, workers, random.Random(440402))
        line("build", round(time.perf_counter() - started, 1), "s")
        first = Area.objects.get(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1")
    line("workers", Worker.objects.count())
    current = Ladder.objects.get(district=first, status=LadderStatus.ACTIVE)
    draft = Ladder.objects.filter(district=first, status=LadderStatus.DRAFT).first()
    total, rows = selectors.pay_bill(current, draft, under=first.path)
    line("district pay bill now", f"{total.current / 10**4:.1f}", "万元")
    line("district communities billed", len(rows))
    timings = timed(lambda: selectors.pay_bill(current, draft, under=first.path), args.calls)
    line("district what-if median", round(median(timings), 1), "ms")
    line("district what-if p95", round(percentile(timings, 95), 1), "ms")
    today = timezone.localdate()
    for label, node in (("district", first), ("all", None)):
        if node is None:
            children = [(c, "") for c in Area.objects.filter(level=Level.DISTRICT).order_by("path")]
            root = Area(name="全部", path="")
        else:
            children = [(c, "") for c in node.children.order_by("path")]
            root = node
        head, _rows = selectors.workforce_figures(root, children, today)
        line(f"{label} workers (figures)", head.m["workers"])
        line(f"{label} 80后 share", head.born_1980_share, "%")
        line(f"{label} 一肩挑 rate", head.dual_role_share, "%")
        timings = timed(
            lambda root=root, children=children: selectors.workforce_figures(root, children, today), args.calls
        )
        line(f"{label} figures median", round(median(timings), 1), "ms")
        line(f"{label} figures p95", round(percentile(timings, 95), 1), "ms")


if __name__ == "__main__":
    main()
