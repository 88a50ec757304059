"""The cockpit's map layer: the grids under a node the user sees, coloured by one figure from the
store; outsiders get 404; a community worker's map holds only their community's grids; the values
are the figure's drill-down values at each grid; the queries do not grow with the grids or rows;
names reach the map as data (JSON), and the page carries no map on the wall."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import CaseCategory, Channel
from dangjian.cockpit import maps, readings
from dangjian.territory.services import area_update

pytestmark = pytest.mark.django_db


def map_url(area, figure="cases_received", **params):
    query = "&".join(f"{k}={v}" for k, v in {"figure": figure, **params}.items())
    return reverse("cockpit:map", args=[area.public_id]) + "?" + query


def _report(world, grid, text):
    return case_submit(
        actor=world.users.resident,
        channel=Channel.PHONE,
        category=CaseCategory.objects.get(code="garbage"),
        description=text,
        grid=grid,
    )


def _by_name(data):
    return {f["properties"]["name"]: f["properties"] for f in data["features"]}


def test_the_map_is_scoped_to_the_node_and_the_user(world, client, assert_scoped):
    u = world.users
    assert_scoped(map_url(world.s1), owner=u.subdistrict_admin, colleague=u.district_admin,
                  outsider=u.subdistrict_admin_outsider)  # fmt: skip
    assert_scoped(map_url(world.c1), owner=u.community_worker, colleague=u.subdistrict_admin,
                  outsider=u.community_worker_outsider)  # fmt: skip
    # Roles without the cockpit, and a node above the user's own: 404.
    for user in (u.grid_worker, u.member, u.resident):
        client.force_login(user)
        assert client.get(map_url(world.c1)).status_code == 404
    client.force_login(u.community_worker)
    assert client.get(map_url(world.s1)).status_code == 404
    # The community worker's own map: their grids only, though the district has more.
    data = client.get(map_url(world.c1)).json()
    assert set(_by_name(data)) == {world.g1a.name, world.g1b.name}
    client.force_login(u.district_admin)
    assert set(_by_name(client.get(map_url(world.district)).json())) == {
        world.g1a.name, world.g1b.name, world.g2.name, world.g3.name,
    }  # fmt: skip
    # A figure the map does not offer (placed at the community), or none at all: 404.
    assert client.get(map_url(world.district, figure="microprojects")).status_code == 404
    assert client.get(map_url(world.district, figure="nothing")).status_code == 404
    assert client.get(reverse("cockpit:map", args=[world.district.public_id])).status_code == 404


def test_each_grid_carries_its_drill_down_value_class_and_link(world, client):
    for i in range(3):
        _report(world, world.g1a, f"路灯不亮 {i}")
    _report(world, world.g2, "井盖松动")
    client.force_login(world.users.district_admin)
    data = client.get(map_url(world.district)).json()
    grids = _by_name(data)
    on = readings.today()
    for grid in (world.g1a, world.g1b, world.g2, world.g3):
        tile = readings.figure_children("cases_received", grid, on)[0]
        assert grids[grid.name]["value"] == tile.value
        assert grids[grid.name]["url"] == reverse("cockpit:figure", args=[grid.public_id, "cases_received"])
    assert grids[world.g1a.name]["value"] == 3
    assert grids[world.g2.name]["value"] == 1
    # Five classes from the lowest (0) to the highest (3): the highest grid in the top class.
    assert len(data["legend"]) == maps.CLASSES
    assert grids[world.g1a.name]["cls"] == maps.CLASSES - 1
    assert grids[world.g1b.name]["cls"] == 0
    assert data["figure"]["key"] == "cases_received"
    # A rate over nothing is no value (grey), not zero.
    rates = _by_name(client.get(map_url(world.district, figure="cases_on_time_rate")).json())
    assert rates[world.g3.name]["value"] is None and rates[world.g3.name]["cls"] == -1
    assert rates[world.g3.name]["display"] == "—"
    # The date travels: before the cases, nothing.
    past = _by_name(client.get(map_url(world.district, on="2020-06-30")).json())
    assert past[world.g1a.name]["value"] == 0


def test_the_map_costs_the_same_queries_whatever_the_grids_or_rows(world, count_queries):
    admin = world.users.district_admin
    before = count_queries(admin, map_url(world.district))
    for i in range(4):
        _report(world, world.g1b, f"占道经营 {i}")
    assert count_queries(admin, map_url(world.district)) == before
    assert count_queries(admin, map_url(world.district, figure="demands_received")) == before
    assert before <= 12, before


def test_names_reach_the_map_as_data_and_the_wall_has_no_map(world, client):
    area_update(actor=None, area=world.g1a, name='<img src=x onerror="alert(1)">网格')
    client.force_login(world.users.district_admin)
    response = client.get(map_url(world.district))
    assert response["Content-Type"] == "application/json"
    assert '<img src=x onerror="alert(1)">网格' in _by_name(response.json())
    page = client.get(reverse("cockpit:node", args=[world.district.public_id])).content.decode()
    assert 'data-testid="cockpit-map"' in page
    assert 'data-testid="map-figure"' in page
    for f in maps.map_figures():
        assert f'<option value="{f.key}">' in page
    wall = client.get(reverse("cockpit:node", args=[world.district.public_id]) + "?wall=1").content.decode()
    assert 'data-testid="cockpit-map"' not in wall
