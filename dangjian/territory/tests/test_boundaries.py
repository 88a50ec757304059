"""Grids stay inside their community: no grid overlaps another community's grids, and drawn
subdistrict and community boundaries hold what lies below them, on every path that writes one."""

import json
import math
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from shapely.geometry import shape

from dangjian.conftest import square
from dangjian.territory import services
from dangjian.territory.boundaries import Drawn, check_boundaries
from dangjian.territory.geo import grid_for_point
from dangjian.territory.models import Area, Level


def rect(west, south, east, north) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def collection(*features) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": n}, "geometry": g} for n, g in features],
    }


def upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("b.geojson", json.dumps(data).encode())}


def wgs84_square_metres(geojson) -> float:
    """An independent estimate: the WGS84 ellipsoid's metres per degree at the shape's mid-latitude."""
    geom = shape(geojson)
    lat = math.radians((geom.bounds[1] + geom.bounds[3]) / 2)
    per_lat = 111132.92 - 559.82 * math.cos(2 * lat) + 1.175 * math.cos(4 * lat)
    per_lng = 111412.84 * math.cos(lat) - 93.5 * math.cos(3 * lat)
    return geom.area * per_lat * per_lng


def reported_area(message: str, other: str) -> int:
    match = re.search(rf"「{re.escape(other)}」重叠约 ([\d,]+) 平方米", message)
    assert match, message
    return int(match.group(1).replace(",", ""))


def test_a_worker_cannot_import_a_grid_over_another_communitys_grids(world, login):
    """婆石's worker imports one grid covering 茂盛's grid (same subdistrict) and 海虹's (another one)."""
    url = reverse("territory:grid_import", args=[world.c1.public_id])
    grab = rect(113.525, 22.195, 113.65, 22.32)
    response = login(world.users.community_worker).post(url, upload(collection(("婆石第九网格", grab))))
    assert response.status_code == 200
    body = response.content.decode()
    assert "网格「婆石社区 · 婆石第九网格」与「茂盛社区 · 茂盛第一网格」重叠约" in body
    assert "网格「婆石社区 · 婆石第九网格」与「海虹社区 · 海虹第一网格」重叠约" in body
    # The overlap is the whole of each covered grid; the message gives it in square metres.
    for other, grid in (("茂盛社区 · 茂盛第一网格", world.g2), ("海虹社区 · 海虹第一网格", world.g3)):
        expected = wgs84_square_metres(grid.boundary)
        assert abs(reported_area(body, other) - expected) / expected < 0.01
    assert not Area.objects.filter(name="婆石第九网格").exists()
    # Residents' cases there still go to their own community's grid.
    assert grid_for_point(22.205, 113.535).grid_id == world.g2.pk


def test_reshaping_a_grid_over_a_neighbouring_community_is_refused_too(world):
    with pytest.raises(ValidationError) as exc:
        services.area_update(actor=None, area=world.g1b, boundary=rect(113.51, 22.20, 113.535, 22.21))
    assert "「茂盛社区 · 茂盛第一网格」重叠约" in " ".join(exc.value.messages)
    world.g1b.refresh_from_db()
    assert world.g1b.boundary == square(113.51, 22.20)


def test_grids_of_neighbouring_communities_may_share_an_edge(world):
    # 茂盛's new grid shares its west edge with 婆石第二网格 (113.51 + 0.01 is 113.52000000000001).
    grid = services.area_create(
        actor=None, level="grid", name="茂盛第二网格", parent=world.c2, boundary=square(113.52, 22.20)
    )
    assert grid.boundary is not None
    imported = services.grids_import_geojson(
        actor=None, community=world.c3, data=collection(("海虹第二网格", square(113.61, 22.30)))
    )
    assert [g.name for g in imported] == ["海虹第二网格"]


def test_a_grid_must_lie_inside_its_communitys_drawn_boundary(world):
    services.area_update(actor=None, area=world.c1, boundary=rect(113.50, 22.20, 113.53, 22.21))
    sticking_out = square(113.52, 22.205)  # its north half is outside 婆石社区
    with pytest.raises(ValidationError) as exc:
        services.area_create(actor=None, level="grid", name="婆石第三网格", parent=world.c1, boundary=sticking_out)
    message = " ".join(exc.value.messages)
    assert "网格「婆石社区 · 婆石第三网格」有约" in message and "在社区「婆石社区」的边界之外" in message
    with pytest.raises(ValidationError) as exc:
        services.grids_import_geojson(actor=None, community=world.c1, data=collection(("婆石第三网格", sticking_out)))
    assert "在社区「婆石社区」的边界之外" in " ".join(exc.value.messages)
    assert not Area.objects.filter(name="婆石第三网格").exists()
    # Inside, sharing the community's east and south edges and 婆石第二网格's east edge: accepted.
    inside = services.grids_import_geojson(
        actor=None, community=world.c1, data=collection(("婆石第三网格", square(113.52, 22.20)))
    )
    assert inside[0].parent == world.c1 and grid_for_point(22.205, 113.525).grid_id == inside[0].pk


def test_a_grid_must_lie_inside_its_subdistrict_when_only_that_is_drawn(world):
    services.area_update(actor=None, area=world.s1, boundary=rect(113.49, 22.19, 113.55, 22.22))
    with pytest.raises(ValidationError) as exc:
        services.area_create(
            actor=None, level="grid", name="茂盛远网格", parent=world.c2, boundary=square(113.545, 22.20)
        )
    assert "在街道「拱北街道」的边界之外" in " ".join(exc.value.messages)
    services.area_create(actor=None, level="grid", name="茂盛第二网格", parent=world.c2, boundary=square(113.54, 22.20))


def test_a_community_boundary_must_lie_inside_its_subdistricts(world):
    services.area_update(actor=None, area=world.s1, boundary=rect(113.49, 22.19, 113.55, 22.22))
    with pytest.raises(ValidationError) as exc:
        services.area_update(actor=None, area=world.c1, boundary=rect(113.48, 22.20, 113.53, 22.21))
    message = " ".join(exc.value.messages)
    assert "社区「婆石社区」有约" in message and "在街道「拱北街道」的边界之外" in message
    world.c1.refresh_from_db()
    assert world.c1.boundary is None
    c1 = services.area_update(actor=None, area=world.c1, boundary=rect(113.50, 22.20, 113.53, 22.21))
    assert (c1.min_lng, c1.min_lat, c1.max_lng, c1.max_lat) == (113.50, 22.20, 113.53, 22.21)
    # A new community under the subdistrict is checked the same way.
    with pytest.raises(ValidationError):
        services.area_create(
            actor=None, level="community", name="越界社区", parent=world.s1, boundary=rect(113.54, 22.21, 113.56, 22.23)
        )


def test_a_boundary_must_hold_what_is_already_drawn_below_it(world):
    with pytest.raises(ValidationError) as exc:
        services.area_update(actor=None, area=world.c1, boundary=rect(113.50, 22.20, 113.515, 22.21))
    message = " ".join(exc.value.messages)
    assert "网格「婆石社区 · 婆石第二网格」有约" in message and "在社区「婆石社区」的新边界之外" in message
    assert "婆石第一网格" not in message
    with pytest.raises(ValidationError) as exc:
        services.area_update(actor=None, area=world.s1, boundary=rect(113.49, 22.19, 113.525, 22.22))
    assert "网格「茂盛社区 · 茂盛第一网格」有约" in " ".join(exc.value.messages)


def test_moving_into_a_drawn_subdistrict_keeps_the_grids_inside(world):
    services.area_update(actor=None, area=world.s2, boundary=rect(113.59, 22.29, 113.62, 22.32))
    with pytest.raises(ValidationError) as exc:
        services.area_move(actor=None, area=world.c2, new_parent=world.s2)
    assert "网格「茂盛社区 · 茂盛第一网格」有约" in " ".join(exc.value.messages)
    assert world.c2.parent == world.s1 and Area.objects.get(pk=world.c2.pk).parent_id == world.s1.pk


def test_only_subdistricts_communities_and_grids_carry_a_boundary(world):
    with pytest.raises(ValidationError, match="只有街道、社区和网格"):
        services.area_update(actor=None, area=world.district, boundary=rect(113.0, 22.0, 114.0, 23.0))
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Area.objects.filter(pk=world.district.pk).update(boundary=rect(113.0, 22.0, 114.0, 23.0))


def test_the_check_takes_the_same_queries_for_one_grid_or_many(world):
    def queries(n):
        items = [Drawn(f"新网格{k}", shape(square(113.70 + k / 100, 22.40))) for k in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            check_boundaries(level=Level.GRID, parent=world.c1, items=items)
        return len(ctx.captured_queries)

    assert queries(1) == queries(12)


def test_boundary_import_page_is_for_the_level_above(world, login, assert_scoped):
    u = world.users
    community_url = reverse("territory:boundary_import", args=[world.c1.public_id])
    assert_scoped(
        community_url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider
    )
    assert login(u.community_worker).get(community_url).status_code == 404  # not their own boundary
    subdistrict_url = reverse("territory:boundary_import", args=[world.s1.public_id])
    assert login(u.subdistrict_admin).get(subdistrict_url).status_code == 404
    assert login(u.district_admin).get(subdistrict_url).status_code == 200
    grid_url = reverse("territory:boundary_import", args=[world.g1a.public_id])
    assert login(u.district_admin).get(grid_url).status_code == 404
    detail = login(u.subdistrict_admin).get(reverse("territory:detail", args=[world.c1.public_id])).content.decode()
    assert community_url in detail


def test_boundary_import_page_draws_the_boundary_or_says_what_is_wrong(world, login):
    client = login(world.users.subdistrict_admin)
    url = reverse("territory:boundary_import", args=[world.c1.public_id])
    two = collection(("甲", rect(113.50, 22.20, 113.53, 22.21)), ("乙", square(113.6, 22.3)))
    body = client.post(url, upload(two)).content.decode()
    assert "文件应只含一个要素" in body and "实有 2 个" in body
    tight = client.post(url, upload(rect(113.50, 22.20, 113.515, 22.21))).content.decode()
    assert "网格「婆石社区 · 婆石第二网格」有约" in tight
    assert Area.objects.get(pk=world.c1.pk).boundary is None
    response = client.post(url, upload(collection(("婆石社区", rect(113.50, 22.20, 113.53, 22.21)))))
    assert response.status_code == 302
    assert Area.objects.get(pk=world.c1.pk).boundary == rect(113.50, 22.20, 113.53, 22.21)


def test_the_admin_checks_boundaries_like_the_services(world, login):
    admin_user = world.users.district_admin
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="territory"))
    client = login(admin_user)
    url = reverse("admin:territory_area_change", args=[world.g2.pk])
    data = {"name": world.g2.name, "code": "", "boundary": json.dumps(rect(113.515, 22.20, 113.54, 22.21))}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "「婆石社区 · 婆石第二网格」重叠约" in response.content.decode()
    assert Area.objects.get(pk=world.g2.pk).boundary == square(113.53, 22.20)
    data["boundary"] = json.dumps(rect(113.53, 22.20, 113.545, 22.21))
    assert client.post(url, data).status_code == 302
    g2 = Area.objects.get(pk=world.g2.pk)
    assert g2.max_lng == 113.545 and grid_for_point(22.205, 113.542).grid_id == g2.pk
