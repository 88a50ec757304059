"""Subtree reads and moves on an organization tree (2,500 PartyOrg at city, 50,000 at province size).

    DEBUG=1 .venv/bin/python bench/subtree_counts.py [--size small|city|province] [--calls N] [--seed 7]

Builds the bulk tree of the size (small and city: the city tree, 2,500 organizations, the smallest
the bulk builder makes; province: 50,000) if the database holds fewer organizations
(var/bench_subtree.sqlite3, or var/bench.sqlite3 for the province, unless DATABASE_URL is set), then times
orgs.selectors.subtree_counts_by_type at each depth and orgs.services.org_move on mid-level
subtrees (each move rolled back, so the data stays as built). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import time

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=None, help="timed calls per depth (default 50 small, else 200)")
    parser.add_argument("--sample", type=int, default=20, help="nodes sampled per depth (default 20)")
    parser.add_argument("--moves", type=int, default=3, help="moves timed per kind (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.calls is None:
        args.calls = sized(args.size, 50, 200, 200)
    scale = sized(args.size, "city", "city", "province")

    setup_django(sized(args.size, "bench_subtree.sqlite3", "bench_subtree.sqlite3", "bench.sqlite3"))
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from dangjian.demo.bulk import SCALES, build_scale
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.orgs.selectors import subtree_counts_by_type
    from dangjian.orgs.services import org_move

    line("database", describe_db())
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    line("migrate", f"{time.perf_counter() - started:.1f}", "s")
    existing = PartyOrg.objects.count()
    if existing < SCALES[scale].orgs:
        started = time.perf_counter()
        build_scale(scale, seed=440402, progress=False)
        line(f"{scale} scale built (bulk)", f"{time.perf_counter() - started:.1f}", "s")
    else:
        line(f"{scale} scale", f"already there ({existing} organizations)")
    quiet_debug()
    line("organizations", PartyOrg.objects.count())
    rng = random.Random(args.seed)

    # One call, one query.
    probe = PartyOrg.objects.filter(depth=2).order_by("path").first()
    with CaptureQueriesContext(connection) as ctx:
        subtree_counts_by_type(probe)
    line("queries per subtree_counts_by_type call", len(ctx.captured_queries))
    sql = ctx.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN " + sql)
            plan = " | ".join(row[0].strip() for row in cursor.fetchall())
    line("query plan (depth-2 node)", plan)

    depths = list(PartyOrg.objects.order_by("depth").values_list("depth", flat=True).distinct())
    for depth in depths:
        ids = list(PartyOrg.objects.filter(depth=depth).order_by("path").values_list("pk", flat=True))
        sample = [PartyOrg.objects.get(pk=pk) for pk in sorted(rng.sample(ids, min(args.sample, len(ids))))]
        sizes = [sum(subtree_counts_by_type(org).values()) for org in sample]
        timings = []
        for k in range(args.calls):
            org = sample[k % len(sample)]
            t0 = time.perf_counter()
            subtree_counts_by_type(org)
            timings.append((time.perf_counter() - t0) * 1000)
        kinds = sorted({str(OrgType(org.org_type).label) for org in sample})
        line(
            f"subtree_counts_by_type depth {depth} ({'/'.join(kinds)}; {len(ids)} nodes, {len(sample)} sampled, "
            f"subtree {min(sizes)}-{max(sizes)} orgs, {args.calls} calls)",
            f"median {median(timings):.2f} ms, p95 {percentile(timings, 95):.2f} ms",
        )

    # For scale: the same GROUP BY over the whole table, no prefix filter.
    timings = []
    for _k in range(20):
        t0 = time.perf_counter()
        dict(PartyOrg.objects.order_by().values_list("org_type").annotate(n=Count("pk")))
        timings.append((time.perf_counter() - t0) * 1000)
    line(
        "whole table counts by type (reference, 20 calls)",
        f"median {median(timings):.2f} ms, p95 {percentile(timings, 95):.2f} ms",
    )

    # Moves: a working committee to another district committee, a community committee to another working committee.
    for org_type, depth in ((OrgType.WORKING_COMMITTEE, 2), (OrgType.COMMUNITY_COMMITTEE, 3)):
        candidates = list(PartyOrg.objects.filter(org_type=org_type).order_by("path").values_list("pk", flat=True))
        parent_type = PartyOrg.objects.filter(pk=candidates[0]).values_list("parent__org_type", flat=True).get()
        parents = list(PartyOrg.objects.filter(org_type=parent_type).order_by("path").values_list("pk", flat=True))
        if len(parents) < 2:
            line(f"org_move {OrgType(org_type).label} (depth {depth})", "skipped: only one possible parent")
            continue
        for pk in sorted(rng.sample(candidates, min(args.moves, len(candidates)))):
            org = PartyOrg.objects.get(pk=pk)
            target = PartyOrg.objects.get(pk=rng.choice([p for p in parents if p != org.parent_id]))
            rows = org.subtree().count()
            with transaction.atomic():
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    moved = org_move(actor=None, org=org, new_parent=target)
                    elapsed = (time.perf_counter() - t0) * 1000
                rows_after = moved.subtree().count()
                transaction.set_rollback(True)
            line(
                f"org_move {OrgType(org_type).label} (depth {depth}) {org.path} -> under {target.path}",
                f"{elapsed:.1f} ms, {rows} rows rewritten ({rows_after} under the new path), "
                f"{len(ctx.captured_queries)} queries",
            )


if __name__ == "__main__":
    main()
