"""Point-in-grid lookups: the bare territory.geo.GridIndex, and the app's own calls beside it.

    DEBUG=1 .venv/bin/python bench/grid_lookup.py [--size small|city|province] [--grids N] [--points N]

Sizes: small 600 grids × 20,000 points (a city's grids; seconds on SQLite), city 5,000 × 100,000,
province 50,000 × 1,000,000. The grids are a jittered, non-overlapping lattice (dangjian.demo.lattice)
built in memory and fed to GridIndex directly. The points are seeded: most uniform over the lattice,
some outside it, some exactly on shared corners, some on shared edges. A brute-force pass (every
polygon's .covers, in a Python loop) over a subsample gives the speed-up ratio. Then the same grids
are written to the database (var/bench_grid_<size>.sqlite3 unless DATABASE_URL is set) and the app's
own calls are timed as a request makes them: grid_for_point() one point at a time and
grids_for_points() for the whole batch, each through the process's copy of the index (the version
token read at most every GRID_INDEX_CHECK_SECONDS), beside the bare index's lookup() and
lookup_many(). Goals (issue 13): ≥ 20,000/s single, ≥ 100,000/s batch. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter

from _setup import add_size_argument, describe_db, line, quiet_debug, setup_django, sized


def timed(label: str, count: int, run):
    """Run it; print lookups per second of wall time and per CPU-second of this process (the machine
    may be shared: the second says what the code costs)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    line(label, f"{count / wall:,.0f} lookups/s ({count / max(cpu, 1e-9):,.0f} per CPU-second)")
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--grids", type=int, default=0, help="grids (default: by --size)")
    parser.add_argument("--points", type=int, default=0, help="points (default: by --size)")
    parser.add_argument("--brute", type=int, default=300, help="points in the brute-force subsample (default 300)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-db", action="store_true", help="skip the database part")
    args = parser.parse_args()
    args.grids = args.grids or sized(args.size, 600, 5_000, 50_000)
    args.points = args.points or sized(args.size, 20_000, 100_000, 1_000_000)

    setup_django(f"bench_grid_{args.size}.sqlite3")
    from shapely.geometry import Point, shape

    from dangjian.core.tree import encode_step
    from dangjian.demo.lattice import Lattice
    from dangjian.territory.geo import GridIndex

    rng = random.Random(args.seed)
    cols = max(1, round(math.sqrt(args.grids * 2)))
    rows = math.ceil(args.grids / cols)
    cell = 0.004
    lattice = Lattice(
        origin_lng=113.40, origin_lat=22.10, cell_lng=cell, cell_lat=cell * 0.92, cols=cols, rows=rows, rng=rng
    )
    cells = [(i, j) for j in range(rows) for i in range(cols)][: args.grids]
    geojson = [lattice.cell_polygon(i, j) for i, j in cells]
    # Path order = creation order, as in the database: STEP digits per level, four levels deep.
    paths = ["0001" + "0001" + encode_step(k // 6 + 1) + encode_step(k % 6 + 1) for k in range(len(cells))]
    line("grids", f"{len(cells)} ({cols} × {rows} lattice, cell {cell}°)")

    t0 = time.perf_counter()
    geoms = [shape(g) for g in geojson]
    line("parse GeoJSON to shapely", f"{(time.perf_counter() - t0) * 1000:.0f}", "ms")
    t0 = time.perf_counter()
    index = GridIndex((k + 1, paths[k], geoms[k]) for k in range(len(geoms)))
    line("GridIndex build (prepare + STRtree)", f"{(time.perf_counter() - t0) * 1000:.0f}", "ms")

    # Points: uniform over the lattice, outside it, on shared corners, on shared edges.
    min_lng, min_lat, max_lng, max_lat = lattice.bounds
    n_corner = args.points // 20
    n_edge = args.points // 20
    n_out = args.points // 10
    n_uniform = args.points - n_corner - n_edge - n_out
    kinds: list[str] = []
    points: list[tuple[float, float]] = []
    for _k in range(n_uniform):
        points.append((rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)))
        kinds.append("uniform")
    for _k in range(n_out):
        # A band around the lattice, beyond its jittered edge.
        side = rng.randrange(4)
        if side == 0:
            points.append((rng.uniform(max_lat + 0.001, max_lat + 0.05), rng.uniform(min_lng, max_lng)))
        elif side == 1:
            points.append((rng.uniform(min_lat - 0.05, min_lat - 0.001), rng.uniform(min_lng, max_lng)))
        elif side == 2:
            points.append((rng.uniform(min_lat, max_lat), rng.uniform(max_lng + 0.001, max_lng + 0.05)))
        else:
            points.append((rng.uniform(min_lat, max_lat), rng.uniform(min_lng - 0.05, min_lng - 0.001)))
        kinds.append("outside band")
    full_rows = len(cells) // cols  # rows completely filled with grids
    for _k in range(n_corner):
        lng, lat = lattice.vertex(rng.randint(1, cols - 1), rng.randint(1, max(1, full_rows - 1)))
        points.append((lat, lng))
        kinds.append("shared corner")
    for _k in range(n_edge):
        i, j = rng.randint(1, cols - 1), rng.randint(0, max(0, full_rows - 1))
        (lng0, lat0), (lng1, lat1) = lattice.vertex(i, j), lattice.vertex(i, j + 1)
        t = rng.random()
        points.append((lat0 + t * (lat1 - lat0), lng0 + t * (lng1 - lng0)))
        kinds.append("shared edge (float)")
    order = list(range(len(points)))
    rng.shuffle(order)
    points = [points[k] for k in order]
    kinds = [kinds[k] for k in order]
    line(
        "points",
        f"{len(points)} ({n_uniform} uniform over the lattice, {n_out} outside, "
        f"{n_corner} on shared corners, {n_edge} on shared edges)",
    )

    hits, elapsed = timed(
        "bare GridIndex.lookup (one point a call)", len(points), lambda: [index.lookup(*p) for p in points]
    )
    batch, _elapsed = timed(
        "bare GridIndex.lookup_many (the whole batch)", len(points), lambda: index.lookup_many(points)
    )
    line("lookup_many vs lookup answers differing", sum(1 for a, b in zip(hits, batch, strict=True) if a != b))
    statuses = Counter(hit.status for hit in hits)
    line("answers", ", ".join(f"{status} {statuses.get(status, 0)}" for status in ("inside", "border", "outside")))
    by_kind = Counter((kind, hit.status) for kind, hit in zip(kinds, hits, strict=True))
    for kind in ("uniform", "outside band", "shared corner", "shared edge (float)"):
        line(
            f"  {kind}",
            ", ".join(f"{status} {by_kind.get((kind, status), 0)}" for status in ("inside", "border", "outside")),
        )

    # Brute force on a subsample: every polygon's covers(), in a Python loop, on unprepared copies.
    plain = [shape(g) for g in geojson]
    sub = list(range(min(args.brute, len(points))))
    t0 = time.perf_counter()
    brute = []
    for k in sub:
        lat, lng = points[k]
        point = Point(lng, lat)
        covering = [g for g in range(len(plain)) if plain[g].covers(point)]
        brute.append(covering[0] + 1 if covering else None)
    elapsed_brute = time.perf_counter() - t0
    per_point = elapsed_brute / len(sub)
    per_point_index = elapsed / len(points)
    mismatches = sum(1 for k, answer in zip(sub, brute, strict=True) if answer != hits[k].grid_id)
    line(
        f"brute force ({len(sub)} points × {len(plain)} polygons)",
        f"{elapsed_brute:.2f} s, {1 / per_point:,.0f} lookups/s, "
        f"extrapolated to {len(points)} points: {per_point * len(points):.0f} s",
    )
    line("speed-up of GridIndex over brute force", f"{per_point / per_point_index:,.0f}×")
    line("brute force vs GridIndex answers differing", mismatches)

    if args.no_db:
        return
    _database_part(args, geojson, points, hits)


def _database_part(args, geojson, points, hits) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from dangjian.demo.bulk import insert_tree
    from dangjian.demo.lattice import polygon_bbox
    from dangjian.territory.geo import grid_for_point, grids_changed, grids_for_points, load_grid_index
    from dangjian.territory.models import Area, Level

    line("database", describe_db())
    call_command("migrate", verbosity=0)
    quiet_debug()
    root = Area.objects.filter(level=Level.DISTRICT, name="基准区").first()
    existing = Area.objects.filter(level=Level.GRID, path__startswith=root.path).count() if root else 0
    if existing != len(geojson):
        with transaction.atomic():
            if root is not None:  # another --grids or --size ran on this database: start again
                Area.objects.filter(path__startswith=root.path).order_by("-depth").delete()
            district = Area(level=Level.DISTRICT, name="基准区", parent=None)
            subdistrict = Area(level=Level.SUBDISTRICT, name="基准街道", parent=district)
            communities = [
                Area(level=Level.COMMUNITY, name=f"基准社区{k + 1}", parent=subdistrict)
                for k in range(len(geojson) // 6 + 1)
            ]
            grids = []
            for k, boundary in enumerate(geojson):
                min_lat, min_lng, max_lat, max_lng = polygon_bbox(boundary)
                grids.append(
                    Area(
                        level=Level.GRID,
                        name=f"基准网格{k + 1}",
                        parent=communities[k // 6],
                        boundary=boundary,
                        min_lat=min_lat,
                        min_lng=min_lng,
                        max_lat=max_lat,
                        max_lng=max_lng,
                    )
                )
            t0 = time.perf_counter()
            insert_tree(Area, [[district], [subdistrict], communities, grids])
            grids_changed()
            line("grids written to the database (bulk)", f"{len(grids)} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    index = load_grid_index()
    line("load_grid_index() from the database", f"{(time.perf_counter() - t0) * 1000:.0f} ms ({len(index)} grids)")
    # The bare index numbers grid k as k + 1; the database names it 基准网格{k + 1}.
    number_of = {
        pk: int(name.removeprefix("基准网格"))
        for pk, name in Area.objects.filter(level=Level.GRID, name__startswith="基准网格").values_list("pk", "name")
    }
    line("GRID_INDEX_CHECK_SECONDS", settings.GRID_INDEX_CHECK_SECONDS)

    grid_for_point(*points[0])  # the process's copy is built once, as by a worker's first request
    app_hits, _elapsed = timed(
        "app grid_for_point (one point a call, no query per call; goal ≥ 20,000/s)",
        len(points),
        lambda: [grid_for_point(lat, lng) for lat, lng in points],
    )
    app_batch, _elapsed = timed(
        "app grids_for_points (the whole batch; goal ≥ 100,000/s)", len(points), lambda: grids_for_points(points)
    )

    def same(hit, bare) -> bool:
        return hit.status == bare.status and number_of.get(hit.grid_id) == bare.grid_id

    line(
        "app vs bare index answers differing (single)",
        sum(1 for a, b in zip(app_hits, hits, strict=True) if not same(a, b)),
    )
    line(
        "app vs bare index answers differing (batch)",
        sum(1 for a, b in zip(app_batch, hits, strict=True) if not same(a, b)),
    )


if __name__ == "__main__":
    main()
