import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from dangjian.conftest import square
from dangjian.territory import services
from dangjian.territory.geo import GridIndex, grid_for_point, overlaps, parse_boundary
from dangjian.territory.models import Area

DONUT = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


def index_of(*boundaries):
    return GridIndex((n + 1, f"{n + 1:04d}", shape(b)) for n, b in enumerate(boundaries))


def test_it_finds_the_grid_a_point_is_strictly_inside():
    idx = index_of(square(0, 0, 10), square(10, 0, 10))
    hit = idx.lookup(5, 5)  # lat, lng
    assert (hit.status, hit.grid_id) == ("inside", 1)
    assert idx.lookup(5, 15).grid_id == 2


def test_it_gives_a_point_on_a_shared_border_to_the_grid_with_the_smaller_path():
    idx = index_of(square(10, 0, 10), square(0, 0, 10))  # grid 1 lies east of grid 2
    hit = idx.lookup(5, 10)  # on the shared edge x = 10
    assert hit.status == "border"
    assert hit.grid_id == 1 and set(hit.candidates) == {1, 2}
    corner = idx.lookup(0, 10)  # a shared corner
    assert corner.grid_id == 1


def test_it_answers_outer_edges_holes_and_outside_points():
    idx = index_of(DONUT)
    assert idx.lookup(0, 5).status == "border"  # on the outer edge: still that grid
    assert idx.lookup(0, 5).grid_id == 1
    hole = idx.lookup(5, 5)
    assert (hole.status, hole.grid_id) == ("outside", None)
    assert idx.lookup(4, 5).status == "border"  # on the hole's edge
    assert idx.lookup(50, 50) == idx.lookup(-1, -1)
    assert idx.lookup(50, 50).grid_id is None
    assert GridIndex([]).lookup(1, 1).status == "outside"


def test_it_tells_overlap_from_touching():
    a, b = shape(square(0, 0, 10)), shape(square(10, 0, 10))
    assert not overlaps(a, b)
    assert overlaps(a, shape(square(9, 0, 10)))
    assert overlaps(a, shape(square(2, 2, 1)))  # containment counts as overlap


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        ({"type": "Point", "coordinates": [1, 1]}, "Polygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "自相交"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [200, 1], [0, 0]]]}, "经纬度范围"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "无法解析"),
    ],
)
def test_it_rejects_bad_boundaries_with_a_clear_message(geojson, message):
    with pytest.raises(ValidationError) as exc:
        parse_boundary(geojson, label="测试网格")
    assert message in str(exc.value) and "测试网格" in str(exc.value)


def test_grid_for_point_reads_the_database_and_sees_new_grids(world):
    assert grid_for_point(22.205, 113.505).grid_id == world.g1a.pk
    assert grid_for_point(22.205, 113.51).status == "border"
    assert grid_for_point(22.205, 113.51).grid_id == world.g1a.pk  # created first: smaller path
    assert grid_for_point(10, 10).grid_id is None
    g = services.area_create(actor=None, level="grid", name="新网格", parent=world.c2, boundary=square(113.70, 22.40))
    assert grid_for_point(22.405, 113.705).grid_id == g.pk
    services.area_update(actor=None, area=g, boundary=square(113.80, 22.40))
    assert grid_for_point(22.405, 113.705).grid_id is None


def test_it_refuses_a_grid_that_overlaps_another_of_its_community_naming_it(world):
    with pytest.raises(ValidationError) as exc:
        services.area_create(
            actor=None, level="grid", name="重叠网格", parent=world.c1, boundary=square(113.505, 22.205)
        )
    text = str(exc.value)
    assert "「婆石社区 · 婆石第一网格」" in text and "「婆石社区 · 婆石第二网格」" in text
    assert not Area.objects.filter(name="重叠网格").exists()
    # A grid of another community may not overlap either (see test_boundaries.py).
    with pytest.raises(ValidationError):
        services.area_create(
            actor=None, level="grid", name="别处网格", parent=world.c3, boundary=square(113.505, 22.205)
        )
    # Editing a grid onto its neighbour is refused too.
    with pytest.raises(ValidationError):
        services.area_update(actor=None, area=world.g1b, boundary=square(113.505, 22.20))


def test_it_imports_grids_all_or_nothing(world):
    good = {"type": "Feature", "properties": {"name": "新一网格"}, "geometry": square(113.55, 22.20)}
    clash = {"type": "Feature", "properties": {"name": "新二网格"}, "geometry": square(113.545, 22.20)}
    clash_old = {"type": "Feature", "properties": {"name": "新三网格"}, "geometry": square(113.515, 22.20)}
    nameless = {"type": "Feature", "properties": {}, "geometry": square(113.90, 22.20)}
    with pytest.raises(ValidationError) as exc:
        services.grids_import_geojson(
            actor=None,
            community=world.c1,
            data={"type": "FeatureCollection", "features": [good, clash, clash_old, nameless]},
        )
    messages = exc.value.messages
    assert any("「婆石社区 · 新三网格」与「婆石社区 · 婆石第二网格」重叠" in m for m in messages)
    assert any("「婆石社区 · 新一网格」与「婆石社区 · 新二网格」重叠" in m for m in messages)
    assert any("第 4 个要素" in m and "名称" in m for m in messages)
    assert not Area.objects.filter(name__in=["新一网格", "新二网格", "新三网格"]).exists()
    grids = services.grids_import_geojson(
        actor=None, community=world.c1, data={"type": "FeatureCollection", "features": [good]}
    )
    assert [g.name for g in grids] == ["新一网格"] and grids[0].path.startswith(world.c1.path)
    assert grid_for_point(22.205, 113.555).grid_id == grids[0].pk


def test_it_validates_codes_and_levels(world):
    with pytest.raises(ValidationError, match="6"):
        services.area_create(actor=None, level="district", name="坏区", parent=None, code="4404")
    with pytest.raises(ValidationError, match="不一致"):
        services.area_create(actor=None, level="community", name="外码社区", parent=world.s1, code="440403001001")
    with pytest.raises(ValidationError, match="上级应为"):
        services.area_create(actor=None, level="grid", name="悬空网格", parent=world.s1)
    with pytest.raises(ValidationError, match="只有街道、社区和网格"):
        services.area_create(actor=None, level="zone", name="画框片区", parent=world.s1, boundary=square(0, 0))
    zone = services.area_create(actor=None, level="zone", name="第一片区", parent=world.s2)
    community = services.area_create(actor=None, level="community", name="片区社区", parent=zone, code="440402002009")
    assert community.path.startswith(zone.path)


def test_estates_and_buildings_land_in_the_grid_their_point_lies_in(world):
    estate = services.estate_save(actor=None, community=world.c1, name="东区花园", lat=22.205, lng=113.515)
    assert list(estate.grids.all()) == [world.g1b]
    building = services.building_save(
        actor=None, community=world.c1, estate=estate, name="3栋", lat=22.205, lng=113.516
    )
    assert building.grid == world.g1b
    nowhere = services.building_save(actor=None, community=world.c1, name="无坐标楼", lat=None, lng=None)
    assert nowhere.grid is None
    with pytest.raises(ValidationError):
        services.building_save(actor=None, community=world.c3, estate=estate, name="错社区楼")
    with pytest.raises(ValidationError):
        services.estate_save(actor=None, community=world.c1, name="半坐标", lat=22.2, lng=None)


def test_a_point_on_a_border_between_communities_stays_with_the_community_asked_about(world):
    # 茂盛's grid shares its west edge with a new 婆石 grid created later (larger path).
    east = services.area_create(
        actor=None, level="grid", name="婆石第三网格", parent=world.c1, boundary=square(113.52, 22.20)
    )
    on_edge = {"lat": 22.205, "lng": 113.53}  # shared by 婆石第三网格 and 茂盛第一网格
    hit = grid_for_point(**on_edge)
    assert hit.status == "border" and set(hit.candidates) == {east.pk, world.g2.pk}
    assert services.locate_grid(community=world.c1, **on_edge) == east
    assert services.locate_grid(community=world.c2, **on_edge) == world.g2


def test_every_grid_change_replaces_the_version_token(world):
    from dangjian.core.models import read_version
    from dangjian.territory.geo import GRID_VERSION

    seen = {read_version(GRID_VERSION)}
    services.area_update(actor=None, area=world.g3, boundary=square(113.70, 22.30))
    seen.add(read_version(GRID_VERSION))
    services.area_move(actor=None, area=world.c2, new_parent=world.s2)
    seen.add(read_version(GRID_VERSION))
    services.area_update(actor=None, area=world.c2, name="只改名字")  # not a grid change
    seen.add(read_version(GRID_VERSION))
    assert len(seen) == 3 and "" not in seen


def test_float_noise_on_a_shared_border_is_not_an_overlap():
    a = shape(square(113.51, 22.20))  # its east edge is 113.51 + 0.01 = 113.52000000000001
    b = shape(square(113.52, 22.20))
    assert a.relate_pattern(b, "T********")  # the interiors do touch, by 1e-14 degrees
    assert not overlaps(a, b)
    assert overlaps(a, shape(square(113.5199, 22.20)))  # 11 m of real overlap still counts
