"""The demo district command, and the bulk builder's tree paths."""

from __future__ import annotations

import io
import itertools
import random

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from shapely.geometry import Point

from dangjian.accounts.models import RoleAssignment, User
from dangjian.core.tree import STEP, encode_step
from dangjian.demo import builder, bulk
from dangjian.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, EXTRA_ROLES
from dangjian.demo.lattice import Lattice
from dangjian.orgs.models import ALLOWED_PARENT_TYPES, OrgType, PartyOrg
from dangjian.orgs.services import org_create
from dangjian.territory.geo import load_grid_index, overlaps, parse_boundary
from dangjian.territory.models import Area, Building, BuildingKind, Estate, Level
from dangjian.territory.services import area_create
from dangjian.units.models import Department, ResidentUnit


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The demo creates eight accounts per run; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_district", *args, stdout=out)
    return out.getvalue()


def area(name: str) -> Area:
    return Area.objects.get(name=name)


def assert_tree_consistent(model) -> None:
    """Every path is the parent's path plus one step; depth and child_seq agree with the rows."""
    nodes = {node.pk: node for node in model.objects.all()}
    for node in nodes.values():
        assert node.depth == len(node.path) // STEP
        if node.parent_id is None:
            assert node.depth == 1
        else:
            parent = nodes[node.parent_id]
            assert node.path[:-STEP] == parent.path
    children = dict(model.objects.values_list("pk").annotate(n=Count("children")))
    for node in nodes.values():
        assert node.child_seq >= children[node.pk]
    assert len({node.path for node in nodes.values()}) == len(nodes)


# -- the demo district --------------------------------------------------------------------------
def test_builds_the_district_territory(demo):
    district = Area.objects.get(level=Level.DISTRICT)
    assert (district.name, district.code) == ("香洲区", "440402")
    subdistricts = Area.objects.filter(level=Level.SUBDISTRICT)
    assert 3 <= subdistricts.count() <= 4
    for subdistrict in subdistricts:
        assert len(subdistrict.code) == 9 and subdistrict.code.startswith("440402")
        assert subdistrict.parent == district
    assert area("拱北街道").code == "440402001"
    for community_name, subdistrict_name in [
        ("婆石社区", "拱北街道"),
        ("茂盛社区", "拱北街道"),
        ("碧涛社区", "香湾街道"),
        ("海虹社区", "香湾街道"),
    ]:
        assert area(community_name).is_descendant_of(area(subdistrict_name))
    communities = Area.objects.filter(level=Level.COMMUNITY)
    assert 10 <= communities.count() <= 14
    for community in communities:
        subdistrict = community.ancestors().get(level=Level.SUBDISTRICT)
        assert len(community.code) == 12 and community.code.startswith(subdistrict.code)
        n_grids = Area.objects.filter(parent=community, level=Level.GRID).count()
        assert 3 <= n_grids <= 4, community.name
    assert 36 <= Area.objects.filter(level=Level.GRID).count() <= 48
    assert area("婆石社区第一网格").parent == area("婆石社区")
    assert area("婆石社区第二网格").parent == area("婆石社区")
    assert Area.objects.filter(level=Level.ZONE).count() == 1
    assert_tree_consistent(Area)


def test_grids_have_valid_boundaries_that_do_not_overlap(demo):
    grids = Area.objects.filter(level=Level.GRID).order_by("path")
    by_community: dict[int, list] = {}
    for grid in grids:
        ring = grid.boundary["coordinates"][0]
        assert grid.boundary["type"] == "Polygon" and ring[0] == ring[-1]
        for lng, lat in ring:  # [lng, lat] order, around 22.27 N 113.57 E
            assert 113.4 < lng < 113.7 and 22.1 < lat < 22.4
        shape = parse_boundary(grid.boundary)
        assert shape.is_valid and shape.area > 0
        min_x, min_y, max_x, max_y = shape.bounds
        assert (grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat) == (min_x, min_y, max_x, max_y)
        by_community.setdefault(grid.parent_id, []).append((grid.name, shape))
    for shapes in by_community.values():
        for (name_a, a), (name_b, b) in itertools.combinations(shapes, 2):
            assert not overlaps(a, b), (name_a, name_b)
    # Neighbouring communities share borders too, without overlapping.
    all_shapes = [parse_boundary(g.boundary) for g in grids]
    assert not any(overlaps(a, b) for a, b in itertools.combinations(all_shapes, 2))


def test_communities_and_subdistricts_are_drawn_around_their_grids(demo):
    """The demo keeps the boundary rule live: each community is the union of its grids, inside its subdistrict."""
    for community in Area.objects.filter(level=Level.COMMUNITY):
        outline = parse_boundary(community.boundary)
        grids = [parse_boundary(g.boundary) for g in Area.objects.filter(parent=community)]
        assert all(outline.covers(g) for g in grids), community.name
        assert abs(sum(g.area for g in grids) - outline.area) < 1e-12, community.name
        subdistrict = community.ancestors().get(level=Level.SUBDISTRICT)
        assert parse_boundary(subdistrict.boundary).covers(outline), community.name
    # So a grid drawn beyond a community's edge is refused, naming the community.
    community = area("婆石社区")
    _west, south, east, north = parse_boundary(community.boundary).bounds
    far = east + 0.01
    with pytest.raises(ValidationError, match="在社区「婆石社区」的边界之外"):
        area_create(
            actor=None,
            level=Level.GRID,
            name="越界网格",
            parent=community,
            boundary={"type": "Polygon", "coordinates": [[[east, south], [far, south], [far, north], [east, south]]]},
        )


def test_estates_and_buildings_lie_in_their_communities_grids(demo):
    index = load_grid_index()
    for community in Area.objects.filter(level=Level.COMMUNITY):
        assert 2 <= Estate.objects.filter(community=community).count() <= 4
    for estate in Estate.objects.all():
        grids = list(estate.grids.all())
        assert len(grids) == 1 and grids[0].parent_id == estate.community_id
        assert index.lookup(estate.lat, estate.lng).status == "inside"
        assert 3 <= estate.buildings.count() <= 6
        assert estate.households > 0
    for building in Building.objects.all():
        assert building.grid is not None and building.grid.parent_id == building.community_id
        hit = index.lookup(building.lat, building.lng)
        assert (hit.status, hit.grid_id) == ("inside", building.grid_id)
    assert Building.objects.filter(estate__isnull=False, kind=BuildingKind.RESIDENTIAL, name="1栋").exists()
    assert Building.objects.filter(kind=BuildingKind.OFFICE, estate__isnull=True).count() == 1


def test_units_and_departments(demo):
    agency = ResidentUnit.objects.get(name="珠海市拱北口岸中心")
    assert (agency.kind, agency.community.name) == ("agency", "婆石社区")
    kinds = set(ResidentUnit.objects.values_list("kind", flat=True))
    assert {"agency", "enterprise", "school", "property_company", "owners_committee"} <= kinds
    subdistricts_with_units = {
        unit.community.ancestors().get(level=Level.SUBDISTRICT).name for unit in ResidentUnit.objects.all()
    }
    assert subdistricts_with_units == set(Area.objects.filter(level=Level.SUBDISTRICT).values_list("name", flat=True))
    district = Area.objects.get(level=Level.DISTRICT)
    expected = {
        "city_management",
        "police",
        "traffic_police",
        "fire",
        "market_regulation",
        "sanitation",
    }
    assert expected <= set(Department.objects.filter(area=district).values_list("kind", flat=True))
    assert Department.objects.filter(name="香洲区城市管理和综合执法局", kind="city_management", area=district).exists()


def test_organization_tree_follows_the_allowed_shapes(demo):
    orgs = list(PartyOrg.objects.select_related("parent", "area", "estate", "building", "unit"))
    for org in orgs:
        assert (org.parent.org_type if org.parent else None) in ALLOWED_PARENT_TYPES[org.org_type], org.name
        if org.estate_id:
            assert org.estate.community_id == org.area_id
        if org.building_id:
            assert org.building.community_id == org.area_id
        if org.unit_id:
            assert org.unit.community_id == org.area_id
    expected_levels = {
        OrgType.DISTRICT_COMMITTEE: Level.DISTRICT,
        OrgType.WORKING_COMMITTEE: Level.SUBDISTRICT,
        OrgType.COMMUNITY_COMMITTEE: Level.COMMUNITY,
        OrgType.EXPANDED_COMMITTEE: Level.COMMUNITY,
        OrgType.ESTATE_BRANCH: Level.COMMUNITY,
        OrgType.BUILDING_GROUP: Level.COMMUNITY,
        OrgType.HUB_HOUSEHOLD: Level.COMMUNITY,
    }
    for org in orgs:
        if org.org_type in expected_levels:
            assert org.area.level == expected_levels[org.org_type], org.name
    top = PartyOrg.objects.get(parent=None)
    assert (top.name, top.org_type) == ("中共珠海市香洲区委员会", OrgType.DISTRICT_COMMITTEE)
    assert PartyOrg.objects.get(name="中共拱北街道工作委员会").parent == top
    big = PartyOrg.objects.get(name="婆石社区大党委")
    assert big.org_type == OrgType.EXPANDED_COMMITTEE and big.area.name == "婆石社区"
    assert (
        PartyOrg.objects.filter(org_type=OrgType.COMMUNITY_COMMITTEE).count()
        == Area.objects.filter(level=Level.COMMUNITY).count() - 1
    )
    assert PartyOrg.objects.filter(org_type=OrgType.ESTATE_BRANCH).count() == Estate.objects.count()
    assert not PartyOrg.objects.filter(org_type=OrgType.ESTATE_BRANCH, estate__isnull=True).exists()
    assert not PartyOrg.objects.filter(org_type=OrgType.BUILDING_GROUP, building__isnull=True).exists()
    hubs = PartyOrg.objects.filter(org_type=OrgType.HUB_HOUSEHOLD)
    assert hubs.exists() and not hubs.filter(building__isnull=True).exists()
    unit_branch = PartyOrg.objects.get(unit__name="珠海市拱北口岸中心")
    assert unit_branch.parent == big and unit_branch.org_type == OrgType.BRANCH
    assert PartyOrg.objects.filter(org_type=OrgType.GENERAL_BRANCH).exists()
    assert_tree_consistent(PartyOrg)


def test_every_demo_account_signs_in_with_its_role(demo):
    # The domain steps add the people they need (department staff, residents, volunteers): each
    # with an active role, none an administrator.
    others = User.objects.exclude(username__in=[a.username for a in DEMO_ACCOUNTS])
    assert User.objects.count() - others.count() == len(DEMO_ACCOUNTS)
    assert not others.filter(is_superuser=True).exists() and not others.filter(is_staff=True).exists()
    assert not others.exclude(role_assignments__is_active=True).exists()
    for account in DEMO_ACCOUNTS:
        user = authenticate(username=account.username, password=DEMO_PASSWORD)
        assert user is not None, account.username
        assert (user.full_name, user.mobile) == (account.full_name, account.mobile)
        assignment = RoleAssignment.objects.filter(user=user, role=account.role, is_active=True).get()
        anchor = assignment.area or assignment.unit or assignment.department or assignment.home_community
        assert str(anchor) == account.scope, account.username
        if account.role in {"party_member", "resident"}:
            assert assignment.home_community.name == "婆石社区"
    for username, (role, scope) in EXTRA_ROLES.items():
        extra = RoleAssignment.objects.get(user__username=username, role=role)
        assert (extra.area or extra.home_community).name == scope
    wg = RoleAssignment.objects.get(user__username="wg_worker")
    assert wg.area.level == Level.GRID and wg.area.name == "婆石社区第一网格"
    admin = User.objects.get(username="qu_admin")
    assert admin.is_staff and not admin.is_superuser
    for perm in [
        "territory.change_area",
        "orgs.add_partyorg",
        "units.view_department",
        "accounts.change_user",
        "audit.view_auditevent",
    ]:
        assert admin.has_perm(perm), perm
    assert not User.objects.get(username="jd_admin").is_staff


def test_running_twice_changes_nothing(demo):
    tables = [Area, Estate, Building, ResidentUnit, Department, PartyOrg, User, RoleAssignment]
    before = {model.__name__: model.objects.count() for model in tables}
    out = run_demo()
    assert "未做任何改动" in out
    assert {model.__name__: model.objects.count() for model in tables} == before


def _snapshot() -> dict:
    return {
        "areas": list(
            Area.objects.order_by("path").values_list(
                "path", "depth", "child_seq", "level", "name", "code", "pinyin", "boundary"
            )
        ),
        "estates": list(
            Estate.objects.order_by("community__path", "name").values_list(
                "community__path", "name", "address", "lat", "lng", "households", "grids__path"
            )
        ),
        "buildings": list(
            Building.objects.order_by("community__path", "estate__name", "name").values_list(
                "community__path", "estate__name", "name", "kind", "floors", "lat", "lng", "grid__path"
            )
        ),
        "orgs": list(
            PartyOrg.objects.order_by("path").values_list(
                "path", "org_type", "name", "secretary", "area__path", "estate__name", "building__name", "unit__name"
            )
        ),
        "units": list(ResidentUnit.objects.order_by("name").values_list("name", "kind", "community__path")),
        "departments": list(Department.objects.order_by("name").values_list("name", "kind", "area__path")),
        "roles": list(
            RoleAssignment.objects.order_by("user__username", "role").values_list(
                "user__username",
                "role",
                "area__path",
                "unit__name",
                "department__name",
                "org__path",
                "home_community__path",
            )
        ),
    }


@pytest.mark.django_db
def test_two_builds_are_identical_and_another_seed_gives_other_shapes():
    # Three builds of the district (each rolled back) in one test. The apps' demo steps that follow
    # the district are held to the same by their own tests.
    snapshots = []
    for seed in (builder.DEFAULT_SEED, builder.DEFAULT_SEED, 1):
        with transaction.atomic():
            builder.build_demo_district(seed=seed, extensions=False)
            snapshots.append(_snapshot())
            transaction.set_rollback(True)
        assert not Area.objects.exists()
    first, second, other_seed = snapshots
    assert first["areas"] and first["orgs"]
    for key in first:
        assert first[key] == second[key], key

    # The named layout stays (areas, grids included: their number per community is fixed); the shapes change.
    def layout(snapshot):
        return [row[:6] for row in snapshot["areas"]]

    def shapes(snapshot):
        return [row[7] for row in snapshot["areas"] if row[3] == Level.GRID]

    assert layout(other_seed) == layout(first)
    assert shapes(other_seed) != shapes(first)
    # The browser tests count 婆石社区's grids on the map.
    (poshi,) = [row[0] for row in first["areas"] if row[4] == "婆石社区"]
    assert sum(row[3] == Level.GRID and row[0].startswith(poshi) for row in first["areas"]) == 3


# -- the bulk builder -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_bulk_paths_match_the_service_paths_and_later_inserts_continue():
    # An existing root first: bulk roots are numbered after it.
    existing = area_create(actor=None, level=Level.DISTRICT, name="已有区", parent=None)
    districts = [Area(level=Level.DISTRICT, name=f"区{k}", parent=None) for k in range(2)]
    subdistricts = [Area(level=Level.SUBDISTRICT, name=f"街道{k}", parent=districts[k % 2]) for k in range(5)]
    communities = [Area(level=Level.COMMUNITY, name=f"社区{k}", parent=subdistricts[k % 5]) for k in range(12)]
    bulk.insert_tree(Area, [districts, subdistricts, communities], batch_size=4)

    assert existing.path == encode_step(1)
    assert [d.path for d in districts] == [encode_step(2), encode_step(3)]
    for node in [*subdistricts, *communities]:
        node.refresh_from_db()
        assert node.parent_id is not None
        siblings = [n for n in [*subdistricts, *communities] if n.parent_id == node.parent_id]
        assert node.path == node.parent.path + encode_step(siblings.index(node) + 1)
        assert node.depth == len(node.path) // STEP == node.parent.depth + 1
    for parent in [*districts, *subdistricts]:
        parent.refresh_from_db()
        assert parent.child_seq == Area.objects.filter(parent=parent).count() > 0
    assert_tree_consistent(Area)

    # A service insert under a bulk-built parent gets the next, fresh path.
    target = subdistricts[0]
    before = set(Area.objects.values_list("path", flat=True))
    fresh = area_create(actor=None, level=Level.COMMUNITY, name="新社区", parent=target)
    assert fresh.path == target.path + encode_step(Area.objects.filter(parent=target).count())
    assert fresh.path not in before
    new_root = area_create(actor=None, level=Level.DISTRICT, name="新区", parent=None)
    assert new_root.path == encode_step(4)

    # The same for organizations, three levels deep.
    top = [PartyOrg(org_type=OrgType.DISTRICT_COMMITTEE, name="区委", parent=None, area=districts[0])]
    working = [
        PartyOrg(org_type=OrgType.WORKING_COMMITTEE, name=f"党工委{k}", parent=top[0], area=subdistricts[k])
        for k in range(2)
    ]
    committees = [
        PartyOrg(org_type=OrgType.COMMUNITY_COMMITTEE, name=f"社区党委{k}", parent=working[k % 2], area=communities[k])
        for k in range(5)
    ]
    bulk.insert_tree(PartyOrg, [top, working, committees])
    assert_tree_consistent(PartyOrg)
    assert [c.path for c in committees if c.parent is working[0]] == [
        working[0].path + encode_step(n) for n in (1, 2, 3)
    ]
    parent = PartyOrg.objects.get(pk=working[1].pk)
    org = org_create(
        actor=None, org_type=OrgType.COMMUNITY_COMMITTEE, name="后建社区党委", parent=parent, area=communities[1]
    )
    assert org.path == working[1].path + encode_step(3)
    assert PartyOrg.objects.filter(path=org.path).count() == 1


@pytest.mark.django_db
def test_bulk_insert_under_an_existing_parent_saves_its_counter():
    district = area_create(actor=None, level=Level.DISTRICT, name="区", parent=None)
    area_create(actor=None, level=Level.SUBDISTRICT, name="原有街道", parent=district)
    parent = Area.objects.select_for_update().get(pk=district.pk)
    new = [Area(level=Level.SUBDISTRICT, name=f"街道{k}", parent=parent) for k in range(3)]
    with transaction.atomic():
        bulk.insert_tree(Area, [new])
    assert [n.path for n in new] == [district.path + encode_step(k) for k in (2, 3, 4)]
    district.refresh_from_db()
    assert district.child_seq == 4
    later = area_create(actor=None, level=Level.SUBDISTRICT, name="后建街道", parent=district)
    assert later.path == district.path + encode_step(5)


@pytest.mark.django_db
def test_tiny_bulk_scale_is_consistent(monkeypatch):
    tiny = bulk.ScaleSpec(2, 5, 13, 50, 30, 90, 120, origin_lat=23.0, origin_lng=113.0, cell=0.004)
    monkeypatch.setitem(bulk.SCALES, "tiny", tiny)
    counts = bulk.build_scale("tiny", seed=3, batch_size=7, progress=False)
    assert counts == {"区": 2, "街道": 5, "社区": 13, "网格": 50, "小区": 30, "楼栋": 90, "党组织": 120}
    assert Area.objects.filter(level=Level.GRID).count() == 50
    assert PartyOrg.objects.count() == 120
    assert_tree_consistent(Area)
    assert_tree_consistent(PartyOrg)
    for node in Area.objects.all():
        assert node.pinyin
    for node in Area.objects.exclude(code=""):
        if node.parent_id:
            assert node.code.startswith(node.parent.code)
    for org in PartyOrg.objects.select_related("parent"):
        assert (org.parent.org_type if org.parent else None) in ALLOWED_PARENT_TYPES[org.org_type]
    child_counts = dict(PartyOrg.objects.values_list("pk").annotate(n=Count("children")))
    assert all(org.child_seq == child_counts[org.pk] for org in PartyOrg.objects.all())
    # Non-overlapping grids, bounding boxes filled, and buildings inside their grid.
    grids = list(Area.objects.filter(level=Level.GRID))
    shapes = [parse_boundary(g.boundary) for g in grids]
    assert not any(overlaps(a, b) for a, b in itertools.combinations(shapes, 2))
    for grid, shape in zip(grids, shapes, strict=True):
        assert (grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat) == shape.bounds
    index = load_grid_index()
    for building in Building.objects.all():
        assert index.lookup(building.lat, building.lng).grid_id == building.grid_id
    assert not Estate.objects.filter(grids__isnull=True).exists()

    # A second bulk build adds another tree after the first, with fresh codes.
    bulk.build_scale("tiny", seed=3, batch_size=50, progress=False)
    roots = list(Area.objects.filter(parent=None).order_by("path").values_list("path", flat=True))
    assert roots == [encode_step(k) for k in range(1, 5)]
    assert_tree_consistent(Area)
    assert_tree_consistent(PartyOrg)
    # The demo then sees a district and leaves the database alone.
    assert "未做任何改动" in run_demo()


def test_distribute_keeps_totals_and_bounds():
    rng = random.Random(1)
    counts = bulk.distribute(600, 130, rng, lo=1, caps=[6] * 130)
    assert sum(counts) == 600 and min(counts) >= 1 and max(counts) <= 6
    counts = bulk.distribute(7, 10, rng, caps=[1] * 10)
    assert sum(counts) == 7 and set(counts) <= {0, 1}
    with pytest.raises(ValueError):
        bulk.distribute(11, 10, rng, caps=[1] * 10)
    assert bulk.distribute(50, 7, random.Random(5), lo=1) == bulk.distribute(50, 7, random.Random(5), lo=1)


def test_lattice_cells_tile_without_overlap():
    lattice = Lattice(
        origin_lng=113.5, origin_lat=22.2, cell_lng=0.01, cell_lat=0.01, cols=4, rows=3, rng=random.Random(2)
    )
    shapes = [parse_boundary(lattice.cell_polygon(i, j)) for i in range(4) for j in range(3)]
    assert not any(overlaps(a, b) for a, b in itertools.combinations(shapes, 2))
    whole = parse_boundary(lattice.block_polygon(0, 0, 4, 3))
    assert abs(sum(s.area for s in shapes) - whole.area) < 1e-12
    for u, v in [(0.01, 0.01), (0.5, 0.5), (0.99, 0.2)]:
        lat, lng = lattice.point(1, 1, u, v)
        assert shapes[1 * 3 + 1].contains(Point(lng, lat))
