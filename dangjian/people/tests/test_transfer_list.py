"""组织关系转接记录: the list of transfers in scope, its filters, and its bounded queries."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.people.models import MemberTransfer
from dangjian.people.services import members as members_services


def names(client, **params):
    response = client.get(reverse("people:transfer_list"), params)
    assert response.status_code == 200
    return [(t.member.name, t.to_org.name) for t in response.context["page"].object_list]


def test_it_lists_moves_of_members_in_scope_and_moves_out_of_its_organizations(people, world, login):
    # 王建国 moves from 婆石 (c1) to 海虹 (c3) but still lives in 婆石; 孙预备 (no home) leaves 婆石 for good.
    members_services.member_transfer(actor=None, member=people.own, to_org=world.eb3, reason="工作调动")
    members_services.member_transfer(actor=None, member=people.probationary, to_org=world.eb3, reason="搬迁")
    both = {("王建国", "海虹花园小区党支部"), ("孙预备", "海虹花园小区党支部")}
    assert set(names(login(world.users.community_worker))) == both  # the organization keeps its record
    assert set(names(login(world.users.community_worker_outsider))) == both  # the receiving side too
    # A 茂盛 worker (c2) sees none of these.
    assert names(login(make_user("sq2", "community_worker", area=world.c2))) == []
    members_services.member_transfer(actor=None, member=people.other, to_org=world.eb, reason="回迁")
    assert ("海虹党员", "中珠新村小区党支部") in names(login(world.users.community_worker))


def test_a_member_moved_away_is_listed_without_a_link(people, world, login):
    members_services.member_transfer(actor=None, member=people.probationary, to_org=world.eb3)
    body = login(world.users.community_worker).get(reverse("people:transfer_list")).content.decode()
    assert "孙预备" in body
    assert reverse("people:member_detail", args=[people.probationary.public_id]) not in body


def test_it_filters_by_name_organization_member_and_date(people, world, login):
    members_services.member_transfer(actor=None, member=people.own, to_org=world.ub)
    members_services.member_transfer(actor=None, member=people.floating, to_org=world.ub)
    old = members_services.member_transfer(actor=None, member=people.probationary, to_org=world.eb)
    MemberTransfer.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    client = login(world.users.district_admin)
    assert names(client, q="wjg") == [("王建国", "口岸中心党支部")]  # pinyin initials
    assert [n for n, _ in names(client, org=str(world.ub.public_id))] == ["赵流动", "王建国", "孙预备"]
    assert names(client, member=str(people.floating.public_id)) == [("赵流动", "口岸中心党支部")]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert {n for n, _ in names(client, since=since)} == {"王建国", "赵流动"}
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert names(client, until=until) == [("孙预备", "中珠新村小区党支部")]
    assert len(names(client, since="not-a-date")) == 3  # a malformed date is ignored, not an error


def test_the_page_is_for_member_managers_and_stays_bounded(people, world, login, count_queries):
    url = reverse("people:transfer_list")
    for user in (world.users.grid_worker, world.users.member, world.users.resident, world.users.unit_contact):
        assert login(user).get(url).status_code == 404
    members_services.member_transfer(actor=world.users.community_worker, member=people.own, to_org=world.ub)
    before = count_queries(world.users.community_worker, url)
    for member in (people.floating, people.probationary, people.pocket):
        members_services.member_transfer(actor=world.users.community_worker, member=member, to_org=world.hub)
    assert count_queries(world.users.community_worker, url) == before
