"""The roster's place and profile filters (the cockpit's 社区工作者, 80后占比, 本科及以上占比 and 书记主任
一肩挑 link here): a place in scope narrows the roster to what workforce/facts.py counts, a place out of
scope or an unknown value is dropped with its error, an outsider sees none of another place's workers,
and a filtered page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dangjian.workforce.services import workers

from .conftest import worker_data

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def roster(world):
    """婆石: a 1986 bachelor, a 1975 college secretary who is also director (一肩挑), a 1990 master
    secretary; 茂盛: a 1979 bachelor; 海虹 (another subdistrict): a 1995 bachelor; one who left."""
    save = workers.worker_save
    save(actor=None, area=world.c1, data=worker_data(name="李华"))
    save(actor=None, area=world.c1, data=worker_data(name="王芳", birth_date=D(1975, 2, 1), education="college",
                                                    kind="secretary", dual_role=True))  # fmt: skip
    save(actor=None, area=world.c1, data=worker_data(name="周明", birth_date=D(1990, 1, 1), education="master",
                                                    kind="secretary"))  # fmt: skip
    save(actor=None, area=world.c2, data=worker_data(name="陈静", birth_date=D(1979, 12, 31)))
    save(actor=None, area=world.c3, data=worker_data(name="海虹甲", birth_date=D(1995, 1, 1)))
    gone = save(actor=None, area=world.c1, data=worker_data(name="离岗者", birth_date=D(1991, 1, 1)))
    workers.worker_leave(actor=None, worker=gone, left_on=D(2024, 6, 30))
    return world


def _count(client, **params):
    response = client.get(reverse("workforce:home"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_the_roster_narrows_by_place_and_profile(roster, client):
    world = roster
    client.force_login(world.users.district_admin)
    assert _count(client)[0] == 5
    assert _count(client, area=world.s1.public_id)[0] == 4
    assert _count(client, area=world.c1.public_id)[0] == 3
    assert _count(client, area=world.g1a.public_id)[0] == 0  # workers lie at their community
    assert _count(client, born_1980="on")[0] == 3  # 1986, 1990, 1995 (not 1979-12-31, not the one who left)
    assert _count(client, area=world.s1.public_id, bachelor="on")[0] == 3  # 本科, 研究生, 本科 (not 大专)
    assert _count(client, dual_role="on")[0] == 1
    assert _count(client, kind="secretary", area=world.c1.public_id)[0] == 2
    count, response = _count(client, area=world.c1.public_id, born_1980="on", bachelor="on")
    assert count == 2
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and "李华" in html and "周明" in html and "王芳" not in html
    assert _count(client, left="1", area=world.c1.public_id)[0] == 1


def test_a_filter_out_of_scope_or_unknown_is_dropped_and_outsiders_see_nothing(roster, client):
    world = roster
    client.force_login(world.users.community_worker)
    count, response = _count(client, area=world.c3.public_id, born_1980="on")
    assert count == 2 and set(response.context["form"].errors) == {"area"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "海虹甲" not in html
    assert _count(client, area="not-a-uuid")[0] == 3
    client.force_login(world.users.community_worker_outsider)
    count, response = _count(client, area=world.c1.public_id)
    assert count == 1 and "李华" not in response.content.decode()  # its own 海虹甲 only
    client.force_login(world.users.resident)
    assert client.get(reverse("workforce:home"), {"area": world.c1.public_id}).status_code == 404


def test_a_filtered_roster_costs_the_same_queries_whatever_the_rows(roster, count_queries):
    world = roster
    url = reverse("workforce:home") + f"?area={world.s1.public_id}&born_1980=on&bachelor=on"
    small = count_queries(world.users.district_admin, url)
    for i in range(25):
        workers.worker_save(actor=None, area=world.c2, data=worker_data(name=f"新人{i}", birth_date=D(1992, 1, 1)))
    assert count_queries(world.users.district_admin, url) == small <= 12
