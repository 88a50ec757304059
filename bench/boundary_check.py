"""Grid-boundary validation (territory.boundaries) against a district of drawn grids.

    DEBUG=1 .venv/bin/python bench/boundary_check.py [--size small|city|province | --grids N | --small]
        [--repeat 30]

Sizes: small 300 grids and 15 calls (make bench; --small is the same), city 600 grids (the city
bulk tree's), province 5,000 grids in one district (the largest district of a province).

Builds its own data in bulk (dangjian.demo.bulk.insert_tree, no service call per grid): a
jittered lattice (dangjian.demo.lattice) where every community is a block of 3 × 2 cells with
grids drawn in 5 of them and the 6th cell left free, and every subdistrict is a block of
5 × 4 communities. Community and subdistrict boundaries are drawn: the union of their cells.
The benchmark database is emptied (flush) and rebuilt on every run: var/bench_boundary.sqlite3
under DANGJIAN_VAR_DIR unless DATABASE_URL is set; a PostgreSQL database is created if missing.

Times, median and p95 over --repeat calls, with the SQL queries of one call:
  (a) validate_boundary of a new grid filling a community's free cell (accepted), and the whole
      area_create of it (rolled back);
  (b) validate_boundary of a grid reaching into the neighbouring community's grid (refused);
  (c) a GeoJSON import of 50 grids (the free cell cut 10 × 5) through grids_import_geojson,
      rolled back, and check_boundaries alone on the same 50 grids;
  (d) redrawing a community's and a subdistrict's boundary (the drawn areas below stay inside).
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import time
import urllib.parse

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

SQLITE_FILE = "bench_boundary.sqlite3"
BLOCK_COLS, BLOCK_ROWS = 3, 2  # lattice cells per community
DRAWN_SLOTS = [(0, 1), (1, 1), (2, 1), (0, 0), (1, 0)]  # (2, 0) stays free
FREE_SLOT = (2, 0)
SUB_COLS, SUB_ROWS = 5, 4  # communities per subdistrict
IMPORT_COLS, IMPORT_ROWS = 10, 5  # the 50 imported grids


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of DATABASE_URL when it does not exist."""
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(n_grids: int, seed: int):
    """Flush the benchmark database and write the district in bulk. Returns the layout."""
    import shapely
    from django.core.management import call_command
    from django.db import connection, transaction
    from shapely.geometry import mapping, shape

    from dangjian.demo.bulk import insert_tree
    from dangjian.demo.lattice import Lattice, polygon_bbox
    from dangjian.territory.geo import grids_changed
    from dangjian.territory.models import Area, Level

    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(seed)
    n_comm = max(4, math.ceil(n_grids / len(DRAWN_SLOTS)))
    blocks_x = max(2, math.ceil(math.sqrt(n_comm * BLOCK_ROWS / BLOCK_COLS)))
    blocks_y = math.ceil(n_comm / blocks_x)
    cell = 0.004
    lattice = Lattice(
        origin_lng=113.40,
        origin_lat=22.10,
        cell_lng=cell,
        cell_lat=round(cell * 0.92, 6),
        cols=blocks_x * BLOCK_COLS,
        rows=blocks_y * BLOCK_ROWS,
        rng=rng,
    )

    def bbox(boundary: dict) -> dict:
        min_lat, min_lng, max_lat, max_lng = polygon_bbox(boundary)
        return {"min_lat": min_lat, "min_lng": min_lng, "max_lat": max_lat, "max_lng": max_lng}

    district = Area(level=Level.DISTRICT, name="边界基准区", parent=None)
    block_of: dict[int, tuple[int, int]] = {}
    comm_polys: dict[tuple[int, int], dict] = {}
    for m in range(n_comm):
        bx, by = m % blocks_x, m // blocks_x
        block_of[m] = (bx, by)
        comm_polys[(bx, by)] = lattice.block_polygon(
            BLOCK_COLS * bx, BLOCK_ROWS * by, BLOCK_COLS * (bx + 1), BLOCK_ROWS * (by + 1)
        )
    sub_keys = sorted({(bx // SUB_COLS, by // SUB_ROWS) for bx, by in block_of.values()}, key=lambda k: (k[1], k[0]))
    subdistricts: dict[tuple[int, int], Area] = {}
    for n, key in enumerate(sub_keys, start=1):
        members = [shape(p) for (bx, by), p in comm_polys.items() if (bx // SUB_COLS, by // SUB_ROWS) == key]
        union = shapely.union_all(members)
        boundary = mapping(union)
        boundary = {"type": boundary["type"], "coordinates": _lists(boundary["coordinates"])}
        min_x, min_y, max_x, max_y = union.bounds
        subdistricts[key] = Area(
            level=Level.SUBDISTRICT,
            name=f"基准街道{n}",
            parent=district,
            boundary=boundary,
            min_lng=min_x,
            min_lat=min_y,
            max_lng=max_x,
            max_lat=max_y,
        )
    communities: dict[tuple[int, int], Area] = {}
    grids: list[Area] = []
    left = n_grids
    for m in range(n_comm):
        bx, by = block_of[m]
        boundary = comm_polys[(bx, by)]
        community = Area(
            level=Level.COMMUNITY,
            name=f"基准社区{m + 1}",
            parent=subdistricts[(bx // SUB_COLS, by // SUB_ROWS)],
            boundary=boundary,
            **bbox(boundary),
        )
        communities[(bx, by)] = community
        for k, (a, b) in enumerate(DRAWN_SLOTS[: max(0, min(len(DRAWN_SLOTS), left))]):
            cell_poly = lattice.cell_polygon(BLOCK_COLS * bx + a, BLOCK_ROWS * by + b)
            grids.append(
                Area(
                    level=Level.GRID,
                    name=f"{community.name}第{k + 1}网格",
                    parent=community,
                    boundary=cell_poly,
                    **bbox(cell_poly),
                )
            )
        left -= len(DRAWN_SLOTS)
    t0 = time.perf_counter()
    with transaction.atomic():
        insert_tree(Area, [[district], list(subdistricts.values()), list(communities.values()), grids])
        grids_changed()
    elapsed = time.perf_counter() - t0
    with connection.cursor() as cursor:  # planner statistics, as a long-lived database has them
        cursor.execute("ANALYZE")
    return {
        "lattice": lattice,
        "blocks": (blocks_x, blocks_y),
        "subdistricts": subdistricts,
        "communities": communities,
        "grids": len(grids),
        "write_s": elapsed,
    }


def _lists(coords):
    """shapely's mapping() gives tuples; GeoJSON stored as JSON has lists."""
    if isinstance(coords, (tuple, list)) and coords and isinstance(coords[0], (int, float)):
        return [float(c) for c in coords]
    return [_lists(c) for c in coords]


def split_cell(lattice, i: int, j: int, cols: int, rows: int) -> list[dict]:
    """Cell (i, j) cut into cols × rows quadrilaterals by bilinear interpolation, unrounded.

    Lines of constant u (or v) of a bilinear map are straight, so the pieces tile the cell and
    their outer edges lie on the cell's edges (rounding would push them a few mm outside).
    """
    sw, se = lattice.vertex(i, j), lattice.vertex(i + 1, j)
    nw, ne = lattice.vertex(i, j + 1), lattice.vertex(i + 1, j + 1)

    def at(u: float, v: float) -> list[float]:
        return [(1 - u) * (1 - v) * sw[k] + u * (1 - v) * se[k] + (1 - u) * v * nw[k] + u * v * ne[k] for k in range(2)]

    pieces = []
    for b in range(rows):
        for a in range(cols):
            u0, u1, v0, v1 = a / cols, (a + 1) / cols, b / rows, (b + 1) / rows
            ring = [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1), at(u0, v0)]
            pieces.append({"type": "Polygon", "coordinates": [ring]})
    return pieces


def timed(fn, repeat: int) -> tuple[list[float], object]:
    """Call fn() once to warm up, then `repeat` times; the times in ms and the last result."""
    result = fn()
    times = []
    for _k in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def count_queries(fn) -> tuple[int, int]:
    """(all queries, SELECTs on territory_area) of one call of fn()."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    sqls = [q["sql"].lstrip() for q in ctx.captured_queries]
    selects = sum(1 for sql in sqls if sql.upper().startswith("SELECT") and "territory_area" in sql)
    return len(ctx.captured_queries), selects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--grids", type=int, default=None, help="drawn grids in the district (default: by size)")
    parser.add_argument("--small", action="store_true", help="the same as --size small")
    parser.add_argument("--repeat", type=int, default=None, help="timed calls per figure (imports: a third)")
    parser.add_argument("--seed", type=int, default=2602)
    args = parser.parse_args()
    if args.small:
        args.size = "small"
    args.grids = args.grids or sized(args.size, 300, 600, 5000)
    args.repeat = args.repeat or sized(args.size, 15, 30, 30)

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        ensure_database(url)
    setup_django(SQLITE_FILE)
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import transaction
    from shapely.geometry import shape

    from dangjian.territory.boundaries import Drawn, _grids_near, check_boundaries, validate_boundary
    from dangjian.territory.models import Area, Level
    from dangjian.territory.services import area_create, grids_import_geojson

    line("database", describe_db())
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    line("migrate", f"{time.perf_counter() - t0:.1f}", "s")
    quiet_debug()
    layout = build(args.grids, args.seed)
    blocks_x, blocks_y = layout["blocks"]
    line(
        "district",
        f"{layout['grids']} grids in {len(layout['communities'])} communities ({blocks_x} × {blocks_y} blocks of 3 × 2 "
        f"cells, 5 drawn + 1 free) in {len(layout['subdistricts'])} subdistricts (≤ 5 × 4 communities), "
        f"all drawn; written in bulk in {layout['write_s'] * 1000:.0f} ms",
    )

    # The community in the middle of the lattice, and its eastern neighbour.
    bx, by = min(blocks_x // 2, blocks_x - 2), blocks_y // 2
    if (bx + 1, by) not in layout["communities"]:
        by -= 1
    community = Area.objects.get(pk=layout["communities"][(bx, by)].pk)
    neighbour = Area.objects.get(pk=layout["communities"][(bx + 1, by)].pk)
    subdistrict = Area.objects.get(pk=community.parent_id)
    lattice = layout["lattice"]
    fi, fj = BLOCK_COLS * bx + FREE_SLOT[0], BLOCK_ROWS * by + FREE_SLOT[1]
    new_grid = lattice.cell_polygon(fi, fj)
    # The free cell and the neighbour's south-west cell (a drawn grid) east of it.
    overlapping = lattice.block_polygon(fi, fj, fi + 2, fj + 1)
    pieces = split_cell(lattice, fi, fj, IMPORT_COLS, IMPORT_ROWS)
    feature_collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": f"导入网格{k + 1:02d}"}, "geometry": g}
            for k, g in enumerate(pieces)
        ],
    }
    line("target", f"{community.name} (free cell {fi},{fj}); neighbour east: {neighbour.name}; in {subdistrict.name}")
    probes = ([shape(new_grid)], [shape(overlapping)], [shape(g) for g in pieces])
    near = [len(_grids_near(geoms, ())) for geoms in probes]
    line(
        "grids fetched by the bounding-box pre-filter",
        f"one new grid {near[0]}, overlapping grid {near[1]}, 50-grid import {near[2]}",
    )

    rows: list[tuple[str, list[float], tuple[int, int], str]] = []

    def accepted():
        validate_boundary(area=Area(level=Level.GRID, name="新网格"), parent=community, boundary=new_grid)
        return "accepted"

    def refused():
        try:
            validate_boundary(area=Area(level=Level.GRID, name="越界网格"), parent=community, boundary=overlapping)
        except ValidationError as exc:
            return exc.message_dict["boundary"]
        return "ACCEPTED (unexpected)"

    def create_rolled_back():
        with transaction.atomic():
            area_create(actor=None, level=Level.GRID, name="新网格", parent=community, boundary=new_grid)
            transaction.set_rollback(True)
        return "created, rolled back"

    def import_rolled_back():
        with transaction.atomic():
            result = grids_import_geojson(actor=None, community=community, data=feature_collection)
            transaction.set_rollback(True)
        return f"{len(result)} grids written, rolled back"

    def import_check_only():
        check_boundaries(
            level=Level.GRID,
            parent=community,
            items=[Drawn(f"导入网格{k + 1:02d}", shape(g)) for k, g in enumerate(pieces)],
        )
        return "accepted"

    def prefilter_only():
        return f"{len(_grids_near([shape(new_grid)], ()))} grids"

    def redraw_community():
        validate_boundary(area=community, parent=subdistrict, boundary=community.boundary)
        return "accepted"

    def redraw_subdistrict():
        validate_boundary(area=subdistrict, parent=subdistrict.parent, boundary=subdistrict.boundary)
        return "accepted"

    n_below = Area.objects.filter(path__startswith=subdistrict.path, boundary__isnull=False).count() - 1
    cases = [
        ("(a) validate_boundary, new grid in its community", accepted, args.repeat),
        ("(a) its bounding-box pre-filter query alone", prefilter_only, args.repeat),
        ("(a) area_create of that grid (rolled back)", create_rolled_back, args.repeat),
        ("(b) validate_boundary, grid over a neighbour's grid", refused, args.repeat),
        ("(c) grids_import_geojson, 50 grids (rolled back)", import_rolled_back, max(3, args.repeat // 3)),
        ("(c) check_boundaries alone, the same 50 grids", import_check_only, args.repeat),
        ("(d) redraw a community (5 grids inside)", redraw_community, args.repeat),
        (f"(d) redraw a subdistrict ({n_below} areas inside)", redraw_subdistrict, max(3, args.repeat // 3)),
    ]
    refusal: object = None
    for label, fn, repeat in cases:
        times, result = timed(fn, repeat)
        queries = count_queries(fn)
        if fn is refused:
            refusal, result = result, f"refused, {len(result)} messages"
        rows.append((label, times, queries, str(result)))

    for label, times, (queries, selects), result in rows:
        line(
            label,
            f"median {median(times):.2f} ms, p95 {percentile(times, 95):.2f} ms ({len(times)} calls, "
            f"{queries} queries, {selects} area SELECTs; {result})",
        )
    for message in refusal or []:
        line("(b) refusal message", message)


if __name__ == "__main__":
    main()
