"""The weak-organization register's place filter (the cockpit's 软弱涣散 figures link to it with the
state: ?area=&status=open|delisted): a case lies at its organization's area (a zone too); a place out of
scope is dropped with its error, never another place's cases; a filtered page stays bounded."""

from __future__ import annotations

from django.urls import reverse

from dangjian.orgs.models import WeakCaseStatus

S = WeakCaseStatus


def _list(client, **params):
    response = client.get(reverse("orgs:weak_list"), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count, response


def test_the_register_filters_by_place_and_state(world, make_case, login):
    make_case(world.eb, S.RECTIFYING)
    make_case(world.ub, S.DELISTED)
    make_case(world.eb3, S.FLAGGED)
    make_case(world.wc1, S.APPLIED)
    client = login(world.users.district_admin)
    assert _list(client)[0] == 4
    assert _list(client, status="open")[0] == 3
    assert _list(client, status="delisted")[0] == 1
    assert _list(client, area=world.s1.public_id)[0] == 3  # 党工委 lies at the subdistrict itself
    assert _list(client, area=world.c1.public_id, status="open")[0] == 1
    count, response = _list(client, area=world.c1.public_id, status="delisted")
    assert count == 1 and "口岸中心党支部" in response.content.decode()
    assert 'data-testid="list-total"' in response.content.decode()
    assert _list(client, area=world.g1a.public_id)[0] == 0  # no organization lies at a grid here
    assert _list(client, area=world.s2.public_id, status="open")[0] == 1


def test_a_place_out_of_scope_is_dropped_with_its_error(world, make_case, login):
    make_case(world.eb, S.RECTIFYING)
    make_case(world.eb3, S.FLAGGED)
    client = login(world.users.community_worker)  # 婆石社区
    count, response = _list(client, area=world.c3.public_id, status="open")
    assert count == 1
    assert set(response.context["form"].errors) == {"area"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "海虹花园小区党支部" not in html
    assert _list(client, area="not-a-uuid")[0] == 1


def test_a_filtered_register_costs_the_same_queries_whatever_the_rows(world, make_case, count_queries):
    url = reverse("orgs:weak_list") + f"?area={world.c1.public_id}&status=open"
    make_case(world.eb, S.RECTIFYING)
    few = count_queries(world.users.community_worker, url)
    for org in (world.ub, world.cc1, world.bg, world.hub):
        make_case(org, S.RECTIFYING, steps=2)
    assert count_queries(world.users.community_worker, url) == few
