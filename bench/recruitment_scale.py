"""Member development figures at scale, from the figures store.

Builds its own data: a district of communities and branches (small 500 / city 5,000 / province
50,000 branches, PER_COMMUNITY a community) and people in the pipeline (4 per branch: 2,000 / 20,000 /
200,000) spread over every stage, with the time each left stage took; `facts.rebuild` then fills the
store (as after any bulk write). Times, over --calls (median and p95): the pipeline per stage at the
district for its children (stock), and the average time per stage for a year (spans by stage).

    DATABASE_URL=postgres://... .venv/bin/python bench/recruitment_scale.py --size province
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

PER_COMMUNITY = 10
PER_SUBDISTRICT = 50
PER_BRANCH = 4
CHUNK = 5000


def build(branches: int) -> str:
    from django.db import transaction

    from dangjian.demo.bulk import insert_tree
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.territory import services as territory_services

    started = time.perf_counter()
    with transaction.atomic():
        district = territory_services.area_create(actor=None, level="district", name="发展党员测试区", parent=None)
        communities, sub = [], None
        for n in range(-(-branches // PER_COMMUNITY)):
            if n % PER_SUBDISTRICT == 0:
                sub = territory_services.area_create(
                    actor=None, level="subdistrict", name=f"发展测试街道{n // PER_SUBDISTRICT:03d}", parent=district
                )
            communities.append(
                territory_services.area_create(actor=None, level="community", name=f"发展测试社区{n:05d}", parent=sub)
            )
        root = PartyOrg(org_type=OrgType.DISTRICT_COMMITTEE, name="发展党员测试区委", parent=None, area=district)
        level = [
            PartyOrg(
                org_type=OrgType.BRANCH, name=f"发展测试支部{i:06d}", parent=root, area=communities[i // PER_COMMUNITY]
            )
            for i in range(branches)
        ]
        insert_tree(PartyOrg, [[root], level])
    line("build: areas and branches", f"{time.perf_counter() - started:.1f}", "s")
    return district.path


def people(district_path: str) -> int:
    from django.db import transaction
    from django.utils import timezone

    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.recruitment.models import Recruit, Stage, StageSpan

    rng = random.Random(17)
    today = timezone.localdate()
    stages = list(Stage.values)
    started, written = time.perf_counter(), 0
    branches = PartyOrg.objects.filter(org_type=OrgType.BRANCH, path__startswith=district_path)
    rows = list(branches.values_list("pk", "path", "area__path"))
    for start in range(0, len(rows), CHUNK // PER_BRANCH):
        with transaction.atomic():
            batch = []
            for pk, path, area_path in rows[start : start + CHUNK // PER_BRANCH]:
                for _ in range(PER_BRANCH):
                    stage = rng.choice(stages)
                    applied = today - datetime.timedelta(days=rng.randint(30, 1500))
                    batch.append(
                        Recruit(
                            org_id=pk,
                            org_path=path,
                            area_path=area_path,
                            name="测试",
                            birth_date=datetime.date(1995, 1, 1),
                            status=stage,
                            applied_on=applied,
                            stage_since=applied,
                            next_due=today,
                        )  # fmt: skip
                    )
            Recruit.objects.bulk_create(batch)  # save() is skipped: paths set above
            spans = []
            for r in batch:
                entered = r.applied_on
                for stage in stages[: stages.index(r.status)]:
                    if stage in (Stage.FULL, Stage.ENDED):
                        break
                    left = min(today, entered + datetime.timedelta(days=rng.randint(20, 400)))
                    spans.append(
                        StageSpan(
                            recruit_id=r.pk,
                            stage=stage,
                            entered_on=entered,
                            left_on=left,
                            area_path=r.area_path,
                            at=timezone.make_aware(datetime.datetime.combine(left, datetime.time(12))),
                        )
                    )  # noqa: E501
                    entered = left
            StageSpan.objects.bulk_create(spans)
            written += len(batch)
    line("build: people in the pipeline", written, "")
    line("build: people", f"{time.perf_counter() - started:.1f}", "s")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    setup_django("bench_recruitment.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    quiet_debug()
    from django.utils import timezone

    from dangjian.core.figures import facts
    from dangjian.core.periods import period_for
    from dangjian.recruitment.facts import PIPELINE, SPANS

    line("database", describe_db())
    branches = sized(args.size, 500, 5000, 50000)
    line("branches", branches, "")
    path = build(branches)
    people(path)
    started = time.perf_counter()
    facts.rebuild([PIPELINE.name, SPANS.name])
    line("facts rebuild", f"{time.perf_counter() - started:.1f}", "s")
    period = period_for("custom", timezone.localdate() - datetime.timedelta(days=364), timezone.localdate())
    for label, read in (
        ("pipeline per stage, district children", lambda: facts.stock_cells(PIPELINE, path, children=True)),
        ("pipeline per stage, district total", lambda: facts.stock_total(PIPELINE, path)),
        ("average time per stage, a year", lambda: facts.by_dim(SPANS, path, period, "stage")),
    ):
        times = []
        for _ in range(args.calls):
            t = time.perf_counter()
            result = read()
            times.append((time.perf_counter() - t) * 1000)
        line(f"{label} median", f"{median(times):.1f}", "ms")
        line(f"{label} p95", f"{percentile(times, 95):.1f}", "ms")
    total = facts.stock_total(PIPELINE, path)
    line("people in the pipeline (store)", total["people"], "")
    spans = facts.by_dim(SPANS, path, period, "stage")
    for stage, m in sorted(spans.items()):
        if m["spans"]:
            line(f"average days as {stage}", f"{m['days'] / m['spans']:.1f}", "d")
    del result


if __name__ == "__main__":
    main()
