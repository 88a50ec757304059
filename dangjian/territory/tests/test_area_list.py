"""The flat area list (territory:list, the cockpit's 社区 and 网格 figures link to it): by place (a node
counts itself and what lies under it, a zone too), level and name; scoped (a place out of scope or a bad
level is dropped with its error, never another place's areas); a page costs the same queries whatever
the rows."""

from __future__ import annotations

from django.urls import reverse

from dangjian.territory import services
from dangjian.territory.models import Area, Level


def _list(client, **params):
    response = client.get(reverse("territory:list"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_the_list_filters_by_place_level_and_name(world, login):
    client = login(world.users.district_admin)
    assert _list(client, level="community")[0] == 3
    assert _list(client, level="grid")[0] == 4
    assert _list(client, area=world.s1.public_id, level="community")[0] == 2
    assert _list(client, area=world.c1.public_id, level="community")[0] == 1  # a node counts itself
    assert _list(client, area=world.c1.public_id, level="grid")[0] == 2
    assert _list(client, area=world.g1a.public_id, level="grid")[0] == 1
    assert _list(client, area=world.g1a.public_id, level="community")[0] == 0
    count, response = _list(client, level="grid", q="pssq")
    assert count == 0  # 婆石社区's initials name the community, not its grids
    count, response = _list(client, q="pssq")
    assert count == 1 and response.context["rows"][0][0] == world.c1
    count, response = _list(client, area=world.c1.public_id, level="grid")
    html = response.content.decode()
    assert "婆石第一网格" in html and "茂盛第一网格" not in html
    assert "香洲区 › 拱北街道 › 婆石社区" in html  # each row's parent chain
    assert 'data-testid="list-total"' in html
    # A zone: the communities under it.
    zone = services.area_create(actor=None, level=Level.ZONE, name="拱北东片区", parent=world.s1)
    services.area_create(actor=None, level=Level.COMMUNITY, name="东湾社区", parent=zone)
    assert _list(client, area=zone.public_id, level="community")[0] == 1
    assert _list(client, area=world.s1.public_id, level="community")[0] == 3


def test_a_place_out_of_scope_or_a_bad_level_is_dropped_with_its_error(world, login):
    client = login(world.users.community_worker)  # 婆石社区
    count, response = _list(client, area=world.c3.public_id, level="grid")
    assert count == 2  # the worker's own grids; 海虹's never
    assert set(response.context["form"].errors) == {"area"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "海虹" not in html
    count, response = _list(client, level="province")
    assert set(response.context["form"].errors) == {"level"}
    assert count == Area.objects.visible_to(world.users.community_worker).count() == 3
    assert _list(client, area="not-a-uuid", level="grid")[0] == 2
    outsider = login(world.users.subdistrict_admin_outsider)  # 吉大街道
    count, response = _list(outsider, level="community")
    assert count == 1 and "婆石" not in response.content.decode()


def test_the_list_is_for_the_tree_roles_only(world, login):
    for user in (world.users.resident, world.users.member, world.users.unit_contact, world.users.department_staff):
        assert login(user).get(reverse("territory:list")).status_code == 404


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(world, count_queries):
    url = reverse("territory:list") + f"?area={world.s1.public_id}&level=grid&q=网格"
    few = count_queries(world.users.subdistrict_admin, url)
    for i in range(40):
        services.area_create(actor=None, level=Level.GRID, name=f"茂盛第{i + 2}网格", parent=world.c2)
    assert count_queries(world.users.subdistrict_admin, url) == few
    assert few <= 12, few


def test_the_tree_and_a_node_link_to_the_list(world, login):
    client = login(world.users.district_admin)
    html = client.get(reverse("territory:tree")).content.decode()
    assert reverse("territory:list") + "?level=community" in html
    html = client.get(reverse("territory:detail", args=[world.s1.public_id])).content.decode()
    assert f"{reverse('territory:list')}?area={world.s1.public_id}&amp;level=grid" in html
