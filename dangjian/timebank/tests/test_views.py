"""The time-bank pages: own account only, a worker's own community only, confirmations, bounded queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.timebank import services
from dangjian.timebank.models import Journal, JournalKind

D = Decimal


@pytest.fixture
def funded(world):
    u = world.users
    u.resident.mobile, u.member.mobile = "13800000001", "13800000002"
    u.resident.full_name, u.member.full_name = "李居民", "王党员"
    u.resident.save(update_fields=["mobile", "full_name"])
    u.member.save(update_fields=["mobile", "full_name"])
    services.service_deposit(user=u.member, hours=5, community=world.c1, key="d1", memo="助老服务")
    services.service_deposit(user=u.resident, hours=1, community=world.c3, key="d3", memo="海虹服务")
    return world


def test_it_shows_a_person_only_their_own_statement(funded, client):
    u = funded.users
    client.force_login(u.member)
    body = client.get(reverse("timebank:mine")).content.decode()
    assert "助老服务" in body and "5.0" in body and "海虹服务" not in body
    client.force_login(u.resident)
    body = client.get(reverse("timebank:mine")).content.decode()
    assert "海虹服务" in body and "助老服务" not in body


def test_it_transfers_only_after_confirmation_and_once(funded, client):
    u = funded.users
    client.force_login(u.member)
    post = {"mobile": "13800000001", "hours": "1.5", "memo": "谢谢帮忙", "key": "abc"}
    confirm = client.post(reverse("timebank:transfer"), post)
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "确认转出" in body and "李**" in body and "138****0001" in body
    assert not Journal.objects.filter(kind=JournalKind.TRANSFER).exists()
    for _ in range(2):  # a double click writes one journal
        response = client.post(reverse("timebank:transfer"), {**post, "confirmed": "1"})
        assert response.status_code == 302
    assert Journal.objects.filter(kind=JournalKind.TRANSFER).count() == 1
    assert services.balance(u.member) == D("3.5") and services.balance(u.resident) == D("2.5")
    client.force_login(u.resident)
    body = client.get(reverse("timebank:mine")).content.decode()
    assert "谢谢帮忙" in body and "王**" in body


def test_it_refuses_an_overdraft_on_the_page(funded, client):
    client.force_login(funded.users.member)
    post = {"mobile": "13800000001", "hours": "9", "memo": "", "key": "x", "confirmed": "1"}
    body = client.post(reverse("timebank:transfer"), post).content.decode()
    assert "余额不足" in body
    assert services.balance(funded.users.member) == D("5.0")


def test_it_keeps_the_community_page_in_the_workers_community(funded, assert_scoped, client):
    u = funded.users
    url = reverse("timebank:community_detail", args=[funded.c1.public_id])
    assert_scoped(
        url,
        owner=u.community_worker,
        colleague=u.community_worker_colleague,
        outsider=u.community_worker_outsider,
        expect_text="助老服务",
    )
    client.force_login(u.member)
    assert client.get(url).status_code == 404
    client.force_login(u.community_worker)
    assert client.get(reverse("timebank:community")).url == url
    body = client.get(url).content.decode()
    assert "海虹服务" not in body


def test_it_corrects_a_journal_behind_a_confirmation_with_a_reason(funded, client, assert_scoped):
    u = funded.users
    journal = Journal.objects.get(key="d1")
    url = reverse("timebank:correct", args=[journal.public_id])
    assert_scoped(url, owner=u.community_worker, outsider=u.community_worker_outsider, expect_text="确认冲正")
    client.force_login(u.community_worker)
    assert "冲正原因" in client.post(url, {"reason": ""}).content.decode()
    assert services.balance(u.member) == D("5.0")
    response = client.post(url, {"reason": "重复登记"})
    assert response.status_code == 302
    assert services.balance(u.member) == D("0.0")
    fix = Journal.objects.get(reverses=journal)
    assert AuditEvent.objects.filter(object_id=str(fix.public_id), actor=u.community_worker).exists()
    assert "不能冲正" in client.get(url).content.decode()


def test_it_grants_from_the_pool_after_confirmation(funded, client):
    u = funded.users
    services.donate_to_pool(user=u.member, community=funded.c1, hours=3, key="p")
    client.force_login(u.community_worker)
    url = reverse("timebank:grant", args=[funded.c1.public_id])
    post = {"mobile": "13800000001", "hours": "2", "memo": "困难帮扶", "key": "g1"}
    assert "确认发放" in client.post(url, post).content.decode()
    assert client.post(url, {**post, "confirmed": "1"}).status_code == 302
    assert services.balance(u.resident) == D("3.0")
    body = client.post(url, {**post, "key": "g2", "confirmed": "1"}).content.decode()
    assert "互助池时数不足" in body
    client.force_login(u.community_worker_outsider)
    assert client.post(url, {**post, "key": "g3", "confirmed": "1"}).status_code == 404


def test_it_searches_and_paginates_the_statement(funded, client):
    u = funded.users
    for n in range(25):
        services.service_deposit(user=u.member, hours="0.1", community=funded.c1, key=f"s{n}", memo=f"巡逻{n}")
    client.force_login(u.member)
    page = client.get(reverse("timebank:mine")).context["page"]
    assert page.paginator.count == 26 and len(page.object_list) == 20
    # Running balances: the newest row shows the balance; each row is the next row plus its amount.
    rows = page.object_list
    assert rows[0].balance_after == services.balance(u.member) == D("7.5")
    for newer, older in zip(rows, rows[1:], strict=False):
        assert newer.balance_after - newer.amount == older.balance_after
    found = client.get(reverse("timebank:mine"), {"q": "助老"}).context["page"].object_list
    assert [r.memo for r in found] == ["助老服务"] and found[0].balance_after == D("5.0")


def test_it_bounds_the_queries_of_its_lists(funded, count_queries):
    u = funded.users
    small_mine = count_queries(u.member, reverse("timebank:mine"))
    url = reverse("timebank:community_detail", args=[funded.c1.public_id])
    small_community = count_queries(u.community_worker, url)
    for n in range(30):
        services.service_deposit(user=u.member, hours=1, community=funded.c1, key=f"m{n}", memo="服务")
        services.transfer(from_user=u.member, to_user=u.resident, hours="0.5", key=f"t{n}", memo="", actor=u.member)
    assert count_queries(u.member, reverse("timebank:mine")) == small_mine
    assert count_queries(u.community_worker, url) == small_community
