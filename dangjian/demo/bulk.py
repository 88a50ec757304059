"""Benchmark-sized trees, written with bulk_create (not through the per-row services).

Tree paths are handed out in memory exactly as dangjian.core.tree does one row at a time:
a child's path is its parent's path plus encode_step(n), n = 1, 2, 3... among that parent's
children; depth = len(path) // STEP; each parent's child_seq ends at its number of children,
so later service inserts under a bulk-built node continue after them. New roots are numbered
after the roots already in the table.

No accounts and no audit events are written in bulk mode.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models, reset_queries, transaction

from dangjian.core.text import pinyin_initials
from dangjian.core.tree import STEP, TreeNode, decode_step, encode_step
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.territory.geo import grids_changed
from dangjian.territory.models import Area, Building, BuildingKind, Estate, Level

from .lattice import Lattice, polygon_bbox
from .names import ESTATE_SUFFIXES, PLACE_CHARS, cn_number, person_name

BATCH_SIZE = 5000


@dataclass(frozen=True)
class ScaleSpec:
    districts: int
    subdistricts: int
    communities: int
    grids: int
    estates: int
    buildings: int
    orgs: int
    # South-west corner of the lattice and the cell size in degrees of longitude.
    origin_lat: float
    origin_lng: float
    cell: float


SCALES = {
    "city": ScaleSpec(1, 8, 130, 600, 450, 5_000, 2_500, origin_lat=22.50, origin_lng=113.90, cell=0.003),
    "province": ScaleSpec(
        100, 1_000, 10_000, 50_000, 50_000, 200_000, 50_000, origin_lat=24.00, origin_lng=112.80, cell=0.004
    ),
}
# Each community is a block of 3 × 2 lattice cells, one grid per cell.
BLOCK_COLS, BLOCK_ROWS = 3, 2
GRID_SLOTS = [(0, 1), (1, 1), (2, 1), (0, 0), (1, 0), (2, 0)]  # north row west to east, then south row
ESTATE_SITES = ((0.3, 0.3), (0.7, 0.7), (0.3, 0.7), (0.7, 0.3))
EXPANDED_EVERY = 20  # every 20th community committee is an expanded committee (大党委)


# -- tree paths -------------------------------------------------------------------------------
def next_root_number(model: type[TreeNode]) -> int:
    """How many root steps are taken already: new roots start after the last one."""
    last = (
        model._default_manager.filter(depth=1)
        .select_for_update()
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return decode_step(last) if last else 0


def assign_paths(nodes: Iterable[TreeNode], *, root_after: int = 0) -> None:
    """Give each node its path and depth, and bump its parent's child_seq.

    `nodes` lists parents before their children; a node's parent (set as an object with
    `node.parent = parent`) is another node of the list or an existing row read fresh (for
    update) from the database, whose child_seq then has to be saved by the caller. Roots get
    encode_step(root_after + 1), encode_step(root_after + 2)...
    """
    roots = root_after
    for node in nodes:
        parent = node.parent
        if parent is None:
            roots += 1
            node.path, node.depth = encode_step(roots), 1
        else:
            parent.child_seq += 1
            node.path = parent.path + encode_step(parent.child_seq)
            node.depth = len(node.path) // STEP


def insert_tree(
    model: type[TreeNode], levels: Sequence[Sequence[TreeNode]], *, batch_size: int = BATCH_SIZE, progress=None
) -> None:
    """Assign paths to a new tree (or forest), given level by level, then insert it level by level.

    The first level's parents are None (new roots) or saved rows (read with select_for_update;
    their child_seq is written back).
    """
    existing_parents = {}
    for node in levels[0] if levels else ():
        parent = node.parent
        if parent is not None and parent.pk is not None:
            existing_parents[parent.pk] = parent
    assign_paths((node for level in levels for node in level), root_after=next_root_number(model))
    for level in levels:
        bulk_insert(model, level, batch_size=batch_size, progress=progress)
    for parent in existing_parents.values():
        model._default_manager.filter(pk=parent.pk).update(child_seq=parent.child_seq)


def bulk_insert(
    model: type[models.Model], rows: Sequence[models.Model], *, batch_size: int = BATCH_SIZE, progress=None
) -> None:
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        model._default_manager.bulk_create(chunk, batch_size=batch_size)
        if progress is not None:
            progress.update(len(chunk))
        reset_queries()  # with DEBUG on, Django would keep every INSERT's SQL text


# -- helpers ------------------------------------------------------------------------------------
class Pinyin:
    """pinyin_initials, cached by part: a name built from parts costs one lookup per part."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def __call__(self, *parts: str) -> str:
        out = []
        for part in parts:
            value = self.cache.get(part)
            if value is None:
                value = self.cache[part] = pinyin_initials(part)
            out.append(value)
        return "".join(out)


def distribute(total: int, n: int, rng: random.Random, *, lo: int = 0, caps: Sequence[int] | None = None) -> list[int]:
    """Split `total` into `n` counts, each between lo and its cap, evenly with some seeded variation."""
    caps = list(caps) if caps is not None else [total] * n
    counts = [min(lo, cap) for cap in caps]
    left = total - sum(counts)
    if left < 0 or total > sum(caps):
        raise ValueError(f"cannot split {total} into {n} counts within bounds")
    while left > 0:
        open_ = [k for k in range(n) if counts[k] < caps[k]]
        share = left // len(open_)
        if share == 0:
            for k in sorted(rng.sample(open_, left)):
                counts[k] += 1
            break
        for k in open_:
            add = min(share, caps[k] - counts[k])
            counts[k] += add
            left -= add
    for _i in range(n):  # some variation, keeping the total
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and counts[a] > max(lo, 1) and counts[b] < caps[b]:
            counts[a] -= 1
            counts[b] += 1
    return counts


PLACE_PAIRS = [a + b for a in PLACE_CHARS for b in PLACE_CHARS if a != b]


def place_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct two-character place names (numbered once the pairs run out)."""
    pairs = PLACE_PAIRS
    if count <= len(pairs):
        return rng.sample(pairs, count)
    return [pairs[k % len(pairs)] + cn_number(k // len(pairs) + 1) for k in range(count)]


def free_code_prefix() -> str:
    """A two-digit code prefix no existing area code uses (real codes start 11-82; try 91-99 first)."""
    used = set(Area.objects.exclude(code="").values_list("code", flat=True).order_by().distinct())
    used_prefixes = {code[:2] for code in used}
    for candidate in [*range(91, 100), *range(10, 91)]:
        if str(candidate) not in used_prefixes:
            return str(candidate)
    return ""


# -- the build --------------------------------------------------------------------------------------
@transaction.atomic
def build_scale(
    name: str, *, seed: int = 440402, batch_size: int = BATCH_SIZE, progress: bool = True
) -> dict[str, int]:
    spec = SCALES[name]
    rng = random.Random(seed)
    pin = Pinyin()
    from tqdm import tqdm

    area_total = spec.districts + spec.subdistricts + spec.communities + spec.grids
    total = area_total + 2 * spec.estates + spec.buildings + spec.orgs
    bar = tqdm(total=total, file=sys.stderr, unit="行", desc=f"{name} 规模", disable=not progress, mininterval=0.5)
    try:
        areas = _build_areas(spec, rng, pin, batch_size, bar)
        estates, estate_sites, estate_buildings = _build_places(spec, rng, pin, areas, batch_size, bar)
        n_orgs = _build_orgs(spec, rng, pin, areas, estates, estate_sites, estate_buildings, batch_size, bar)
    finally:
        bar.close()
    return {
        "区": len(areas["district"]),
        "街道": len(areas["subdistrict"]),
        "社区": len(areas["community"]),
        "网格": len(areas["grid"]),
        "小区": len(estates),
        "楼栋": sum(len(b) for b in estate_buildings),
        "党组织": n_orgs,
    }


def _build_areas(spec: ScaleSpec, rng: random.Random, pin: Pinyin, batch_size: int, bar) -> dict[str, list[Area]]:
    prefix = free_code_prefix()
    blocks_x = max(1, math.ceil(math.sqrt(spec.communities * BLOCK_ROWS / BLOCK_COLS)))
    blocks_y = math.ceil(spec.communities / blocks_x)
    lattice = Lattice(
        origin_lng=spec.origin_lng,
        origin_lat=spec.origin_lat,
        cell_lng=spec.cell,
        cell_lat=round(spec.cell * 0.92, 6),
        cols=blocks_x * BLOCK_COLS,
        rows=blocks_y * BLOCK_ROWS,
        rng=rng,
    )
    districts = []
    for k, district_name in enumerate(place_names(rng, spec.districts)):
        code = f"{prefix}{k // 10 + 1:02d}{k % 10 + 1:02d}" if prefix and spec.districts <= 990 else ""
        name = f"{district_name}区"
        districts.append(Area(level=Level.DISTRICT, name=name, code=code, pinyin=pin(district_name, "区"), parent=None))
    subdistricts = []
    for district, n in zip(
        districts, distribute(spec.subdistricts, len(districts), rng, lo=1, caps=[999] * len(districts)), strict=True
    ):
        for k, base in enumerate(place_names(rng, n), start=1):
            subdistricts.append(
                Area(
                    level=Level.SUBDISTRICT,
                    name=f"{base}街道",
                    code=f"{district.code}{k:03d}" if district.code else "",
                    pinyin=pin(base, "街道"),
                    parent=district,
                )
            )
    communities = []
    counts = distribute(spec.communities, len(subdistricts), rng, lo=1, caps=[999] * len(subdistricts))
    for subdistrict, n in zip(subdistricts, counts, strict=True):
        for k, base in enumerate(place_names(rng, n), start=1):
            communities.append(
                Area(
                    level=Level.COMMUNITY,
                    name=f"{base}社区",
                    code=f"{subdistrict.code}{k:03d}" if subdistrict.code else "",
                    pinyin=pin(base, "社区"),
                    parent=subdistrict,
                )
            )
    grids = []
    counts = distribute(spec.grids, len(communities), rng, lo=1, caps=[len(GRID_SLOTS)] * len(communities))
    for m, (community, n) in enumerate(zip(communities, counts, strict=True)):
        bx, by = m % blocks_x, m // blocks_x
        for k in range(n):
            a, b = GRID_SLOTS[k]
            i, j = BLOCK_COLS * bx + a, BLOCK_ROWS * by + b
            boundary = lattice.cell_polygon(i, j)
            min_lat, min_lng, max_lat, max_lng = polygon_bbox(boundary)
            number = cn_number(k + 1)
            grid = Area(
                level=Level.GRID,
                name=f"{community.name}第{number}网格",
                pinyin=community.pinyin + pin(f"第{number}网格"),
                parent=community,
                boundary=boundary,
                min_lat=min_lat,
                min_lng=min_lng,
                max_lat=max_lat,
                max_lng=max_lng,
            )
            grid.cell = (i, j)  # for placing estates; not a model field
            grids.append(grid)
    insert_tree(Area, [districts, subdistricts, communities, grids], batch_size=batch_size, progress=bar)
    grids_changed()  # running processes rebuild their grid index
    return {
        "district": districts,
        "subdistrict": subdistricts,
        "community": communities,
        "grid": grids,
        "lattice": lattice,
    }


def _build_places(spec: ScaleSpec, rng: random.Random, pin: Pinyin, areas, batch_size: int, bar):
    lattice: Lattice = areas["lattice"]
    grids_of: dict[int, list[Area]] = {}
    for grid in areas["grid"]:
        grids_of.setdefault(id(grid.parent), []).append(grid)
    communities = areas["community"]
    estates: list[Estate] = []
    estate_sites: list[tuple[Area, Area, float, float]] = []  # community, grid, u, v
    counts = distribute(spec.estates, len(communities), rng, lo=1)
    for community, n in zip(communities, counts, strict=True):
        grids = grids_of[id(community)]
        offset = rng.randrange(len(grids))
        bases = place_names(rng, n)
        for e in range(n):
            grid = grids[(offset + e) % len(grids)]
            su, sv = ESTATE_SITES[(e // len(grids)) % len(ESTATE_SITES)]
            u, v = su + rng.uniform(-0.05, 0.05), sv + rng.uniform(-0.05, 0.05)
            lat, lng = lattice.point(*grid.cell, u, v)
            suffix = rng.choice(ESTATE_SUFFIXES)
            estates.append(
                Estate(
                    community_id=community.pk,
                    name=bases[e] + suffix,
                    pinyin=pin(bases[e], suffix),
                    address=f"{community.name}{bases[e]}路{rng.randint(1, 300)}号",
                    lat=lat,
                    lng=lng,
                    households=rng.randrange(120, 2400, 10),
                )
            )
            estate_sites.append((community, grid, u, v))
    bulk_insert(Estate, estates, batch_size=batch_size, progress=bar)
    through = Estate.grids.through
    links = [
        through(estate_id=estate.pk, area_id=site[1].pk) for estate, site in zip(estates, estate_sites, strict=True)
    ]
    bulk_insert(through, links, batch_size=batch_size, progress=bar)
    del links

    # Buildings are streamed in batches; only their ids are kept, per estate.
    estate_buildings: list[list[int]] = []
    counts = distribute(spec.buildings, len(estates), rng, lo=1)
    pending: list[Building] = []
    owners: list[int] = []

    def flush():
        bulk_insert(Building, pending, batch_size=batch_size, progress=bar)
        for owner, building in zip(owners, pending, strict=True):
            estate_buildings[owner].append(building.pk)
        pending.clear()
        owners.clear()

    for e, (estate, (community, grid, u, v), n) in enumerate(zip(estates, estate_sites, counts, strict=True)):
        estate_buildings.append([])
        floors = rng.choice((6, 7, 9, 11, 18, 24, 33))
        for b in range(1, n + 1):
            # Spread around the estate's point, staying inside its cell.
            bu = min(0.95, max(0.05, u + rng.uniform(-0.2, 0.2)))
            bv = min(0.95, max(0.05, v + rng.uniform(-0.2, 0.2)))
            lat, lng = lattice.point(*grid.cell, bu, bv)
            pending.append(
                Building(
                    community_id=community.pk,
                    estate_id=estate.pk,
                    grid_id=grid.pk,
                    name=f"{b}栋",
                    kind=BuildingKind.RESIDENTIAL,
                    floors=floors,
                    lat=lat,
                    lng=lng,
                )
            )
            owners.append(e)
            if len(pending) >= batch_size:
                flush()
    flush()
    return estates, estate_sites, estate_buildings


def _build_orgs(
    spec: ScaleSpec, rng: random.Random, pin: Pinyin, areas, estates, estate_sites, estate_buildings, batch_size, bar
) -> int:
    def org(**kwargs) -> PartyOrg:
        return PartyOrg(secretary=person_name(rng), **kwargs)

    committees_of_district = {}
    top = []
    for district in areas["district"]:
        node = org(org_type=OrgType.DISTRICT_COMMITTEE, name=f"中共{district.name}委员会", parent=None, area=district)
        node.pinyin = pin("中共", district.name, "委员会")
        committees_of_district[id(district)] = node
        top.append(node)
    working = []
    working_of = {}
    for subdistrict in areas["subdistrict"]:
        node = org(
            org_type=OrgType.WORKING_COMMITTEE,
            name=f"中共{subdistrict.name}工作委员会",
            parent=committees_of_district[id(subdistrict.parent)],
            area=subdistrict,
        )
        node.pinyin = pin("中共", subdistrict.name, "工作委员会")
        working_of[id(subdistrict)] = node
        working.append(node)
    committees = []
    committee_of = {}
    for k, community in enumerate(areas["community"]):
        expanded = k % EXPANDED_EVERY == EXPANDED_EVERY - 1
        suffix = "大党委" if expanded else "党委"
        node = org(
            org_type=OrgType.EXPANDED_COMMITTEE if expanded else OrgType.COMMUNITY_COMMITTEE,
            name=community.name + suffix,
            parent=working_of[id(community.parent)],
            area=community,
        )
        node.pinyin = pin(community.name, suffix)
        committee_of[id(community)] = node
        committees.append(node)

    # The rest of the budget: estate branches, building groups under them, hub households under those.
    rest = spec.orgs - len(top) - len(working) - len(committees)
    n_branches = min(len(estates), max(0, rest // 2))
    chosen = sorted(rng.sample(range(len(estates)), n_branches))
    caps = [len(estate_buildings[e]) for e in chosen]
    n_groups = min(sum(caps), math.ceil((rest - n_branches) * 0.7))
    n_hubs = min(n_groups, rest - n_branches - n_groups)
    branches, groups, hubs = [], [], []
    group_counts = distribute(n_groups, n_branches, rng, caps=caps) if n_branches else []
    for e, n in zip(chosen, group_counts, strict=True):
        estate = estates[e]
        community = estate_sites[e][0]
        branch = org(
            org_type=OrgType.ESTATE_BRANCH,
            name=f"{estate.name}党支部",
            parent=committee_of[id(community)],
            area=community,
            estate=estate,
        )
        branch.pinyin = pin(estate.name, "党支部")
        branches.append(branch)
        ids = estate_buildings[e]
        for g in range(n):
            b = g * len(ids) // n  # spread the groups over the estate's buildings
            group = org(
                org_type=OrgType.BUILDING_GROUP,
                name=f"{estate.name}{b + 1}栋楼宇党小组",
                parent=branch,
                area=community,
                estate=estate,
                building_id=ids[b],
            )
            group.pinyin = pin(estate.name, f"{b + 1}栋楼宇党小组")
            group.building_number = b + 1  # for the hub household's name; not a model field
            groups.append(group)
    hub_counts = distribute(n_hubs, len(groups), rng, caps=[1] * len(groups)) if groups else []
    for group, n in zip(groups, hub_counts, strict=True):
        if not n:
            continue
        room = f"{rng.randint(2, 18)}{rng.randint(1, 4):02d}室"
        hub = org(
            org_type=OrgType.HUB_HOUSEHOLD,
            name=f"{group.estate.name}{group.building_number}栋{room}党员中心户",
            parent=group,
            area=group.area,
            estate=group.estate,
            building_id=group.building_id,
        )
        hub.pinyin = pin(group.estate.name, f"{group.building_number}栋", room, "党员中心户")
        hubs.append(hub)
    levels = [top, working, committees, branches, groups, hubs]
    insert_tree(PartyOrg, levels, batch_size=batch_size, progress=bar)
    skipped = spec.orgs - sum(len(level) for level in levels)
    if skipped and bar is not None:
        bar.update(max(0, skipped))
    return sum(len(level) for level in levels)
