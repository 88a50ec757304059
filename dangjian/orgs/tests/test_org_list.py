"""The flat organization list (orgs:list, the cockpit's 党组织, 党支部 and 小区党支部 figures link to it):
by place (an organization lies at its area; a zone too), kind (the figures' groups of types), not closed
and name; scoped (a place out of scope or a bad kind is dropped with its error, never another place's
organizations); a page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime

from django.urls import reverse

from dangjian.orgs import services
from dangjian.orgs.facts import ORG_GROUPS, PARTY_ORGS
from dangjian.orgs.filters import KINDS
from dangjian.orgs.models import PartyOrg


def _list(client, **params):
    response = client.get(reverse("orgs:list"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_the_kinds_are_the_figures_groups():
    assert KINDS["party_org"][1] == {t for t, g in ORG_GROUPS.items() if g in PARTY_ORGS}
    assert KINDS["branch"][1] == {t for t, g in ORG_GROUPS.items() if g == "branches"}
    assert KINDS["estate_branch"][1] == {"estate_branch"}


def test_the_list_filters_by_place_kind_state_and_name(world, login):
    temp = services.org_create(
        actor=None, org_type="temp_branch", name="防汛临时党支部", parent=world.wc1, area=world.s1
    )
    PartyOrg.objects.filter(pk=temp.pk).update(closed_on=datetime.date(2026, 1, 5))
    client = login(world.users.district_admin)
    assert _list(client)[0] == 11
    # 区委, 2 党工委, 社区大党委, 社区党委, 2 小区党支部, 口岸中心党支部: not 党小组, 中心户, the closed one.
    assert _list(client, kind="party_org", current="on")[0] == 8
    assert _list(client, kind="party_org")[0] == 9
    assert _list(client, kind="branch", current="on")[0] == 3
    assert _list(client, kind="estate_branch", current="on")[0] == 2
    assert _list(client, area=world.s1.public_id, kind="estate_branch", current="on")[0] == 1
    count, response = _list(client, area=world.c1.public_id, kind="party_org", current="on")
    assert count == 3
    html = response.content.decode()
    assert "口岸中心党支部" in html and "海虹花园小区党支部" not in html and "1栋楼宇党小组" not in html
    assert "拱北街道 › 婆石社区" in html and 'data-testid="list-total"' in html
    count, response = _list(client, q="zzxc")  # 中珠新村小区党支部 by its initials
    assert count == 1 and "中珠新村小区党支部" in response.content.decode()
    assert "已撤销" in _list(client, q="防汛")[1].content.decode()


def test_a_place_out_of_scope_or_a_bad_kind_is_dropped_with_its_error(world, login):
    client = login(world.users.community_worker)  # 婆石社区
    count, response = _list(client, area=world.c3.public_id, kind="estate_branch", current="on")
    assert count == 1  # the worker's own 小区党支部; 海虹's never
    assert set(response.context["form"].errors) == {"area"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "海虹" not in html
    count, response = _list(client, kind="everything")
    assert set(response.context["form"].errors) == {"kind"}
    assert count == PartyOrg.objects.visible_to(world.users.community_worker).count() == 5
    assert _list(client, area="not-a-uuid", kind="branch")[0] == 2


def test_the_list_is_for_the_tree_roles_only(world, login):
    for user in (world.users.resident, world.users.member, world.users.unit_contact, world.users.department_staff):
        assert login(user).get(reverse("orgs:list")).status_code == 404


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(world, count_queries):
    url = reverse("orgs:list") + f"?area={world.c1.public_id}&kind=branch&current=on&q=党支部"
    few = count_queries(world.users.community_worker, url)
    for i in range(40):
        services.org_create(actor=None, org_type="branch", name=f"第{i}党支部", parent=world.cc1, area=world.c1)
    assert count_queries(world.users.community_worker, url) == few
    assert few <= 12, few


def test_the_tree_links_to_the_list(world, login):
    html = login(world.users.district_admin).get(reverse("orgs:tree")).content.decode()
    assert reverse("orgs:list") + "?current=on" in html
