"""The message centre's pages: a person sees only their own messages (404 for anyone else's), opening
one marks it read and follows its link, filters, 全部标为已读, the bell, the settings, the district's
delivery log; each list costs the same few queries however long it is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.notifications import services
from dangjian.notifications.models import Delivery, Message, Preference
from dangjian.territory import services as territory_services

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def tell(users, n=0, **kw):
    kw = {
        "event": "cases.case.dispatch",
        "title": f"事件 C{n}：派单",
        "object_key": f"cases.case:{n}",
        "url": "/cases/",
        **kw,
    }
    return services.notify(recipients=users, **kw)


def test_a_person_sees_only_their_own_messages(world, client):
    u = world.users
    tell([u.department_staff], 1, body="请今日处置")
    tell([u.department_staff_outsider], 2, title="别人的消息")
    client.force_login(u.department_staff)
    html = client.get(INBOX).content.decode()
    assert "事件 C1：派单" in html and "请今日处置" in html and "别人的消息" not in html
    client.logout()
    assert client.get(INBOX).status_code == 302  # to the sign-in page


def test_opening_a_message_is_the_owners_alone(world, client):
    u = world.users
    tell([u.department_staff], 1, url="/cases/abc/")
    tell([u.department_staff], 2, url="")
    linked = Message.objects.get(object_key="cases.case:1")
    plain = Message.objects.get(object_key="cases.case:2")
    # The owner follows it; a colleague of the same department and an outsider get 404, as for a missing one.
    for user, status in ((u.department_staff, 302), (u.department_staff_outsider, 404), (u.community_worker, 404)):
        client.force_login(user)
        assert client.get(linked.get_absolute_url()).status_code == status, user.username
    assert Message.objects.get(pk=linked.pk).read_at is not None
    client.force_login(u.department_staff)
    response = client.get(linked.get_absolute_url())
    assert response["Location"] == "/cases/abc/"
    page = client.get(plain.get_absolute_url())
    assert page.status_code == 200 and "事件 C2：派单" in page.content.decode()
    assert client.get(reverse("notifications:open", args=["9d5c2f8e-0000-4000-8000-000000000000"])).status_code == 404


def test_a_link_to_another_site_is_not_followed(world, client):
    u = world.users
    tell([u.resident], 1, url="https://evil.example/")
    client.force_login(u.resident)
    response = client.get(Message.objects.get().get_absolute_url())
    assert response.status_code == 200


def test_filters_mark_all_read_and_the_empty_states(world, client):
    u = world.users
    tell([u.community_worker], 1)
    tell(
        [u.community_worker], 2, event="demands.demand.claim", title="需求「买菜」：认领", object_key="demands.demand:2"
    )
    client.force_login(u.community_worker)
    assert "需求「买菜」" not in client.get(INBOX, {"kind": "cases.case"}).content.decode()
    assert "需求「买菜」" in client.get(INBOX, {"kind": "demands.demand"}).content.decode()
    response = client.post(reverse("notifications:read_all"), {"kind": "cases.case"})
    assert response.status_code == 302
    assert list(Message.objects.filter(read_at__isnull=True).values_list("event", flat=True)) == [
        "demands.demand.claim"
    ]
    unread = client.get(INBOX, {"unread": "1"}).content.decode()
    assert "需求「买菜」" in unread and "事件 C1" not in unread
    client.post(reverse("notifications:read_all"))
    assert "没有符合条件的消息" in client.get(INBOX, {"unread": "1"}).content.decode()
    client.force_login(u.nobody)
    assert "暂时没有消息" in client.get(INBOX).content.decode()


def test_the_bell_counts_unread_messages_in_one_query(world, client, django_assert_max_num_queries):
    u = world.users
    bell = reverse("notifications:bell")
    client.force_login(u.department_staff)
    assert "bell-count" not in client.get(bell).content.decode()
    tell([u.department_staff], 1)
    tell([u.department_staff], 2)
    tell([u.department_staff_outsider], 3)
    with django_assert_max_num_queries(4):  # session, user, the count (and at most a session touch)
        html = client.get(bell).content.decode()
    assert 'data-testid="bell-count"' in html and ">2<" in html and 'data-testid="nav-unread"' in html
    Message.objects.bulk_create(
        [
            Message(
                recipient=u.department_staff,
                event="x.y.z",
                object_key=f"k{i}",
                title="t",
                created_at=Message.objects.first().created_at,
            )
            for i in range(120)
        ]
    )
    assert ">99+<" in client.get(bell).content.decode()
    client.logout()
    assert client.get(bell).status_code == 204  # nothing to swap into the header


def test_the_inbox_costs_the_same_however_many_messages(world, count_queries):
    u = world.users
    for n in range(3):
        tell([u.grid_worker], n)
    few = count_queries(u.grid_worker, INBOX)
    for n in range(3, 60):
        tell([u.grid_worker], n)
    assert count_queries(u.grid_worker, INBOX) == few
    assert count_queries(u.grid_worker, f"{INBOX}?page=3") == few
    assert few <= 6


def test_the_inbox_pages_by_number_then_by_cursor(world, client):
    u = world.users
    for n in range(130):
        tell([u.grid_worker], n)
    client.force_login(u.grid_worker)
    page = client.get(INBOX, {"page": 5}).context["page"]
    assert page.next_query.startswith("after=")
    deeper = client.get(f"{INBOX}?{page.next_query}").context["page"]
    titles = [m.title for m in deeper.object_list]
    assert titles[0] == "事件 C29：派单" and len(titles) == 20


def test_the_settings_page_saves_what_the_person_hears(world, client):
    u = world.users
    url = reverse("notifications:preferences")
    client.force_login(u.member)
    html = client.get(url).content.decode()
    assert "事件" in html and "免打扰" in html
    kinds = client.get(url).context["form"].kinds
    keep = [k for k in kinds if k != "centers.booking"]
    response = client.post(url, {"receive": keep, "sms": "on", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    pref = Preference.objects.get(user=u.member)
    assert pref.muted == ["centers.booking"] and pref.sms and not pref.wechat
    assert str(pref.quiet_start) == "22:00:00"
    bad = client.post(url, {"receive": keep, "quiet_start": "22:00"})
    assert "免打扰时段需同时填写开始和结束时间" in bad.content.decode()
    bad = client.post(url, {"receive": keep, "quiet_start": "25:00", "quiet_end": "07:00"})
    assert "请输入正确的时间" in bad.content.decode()
    assert Preference.objects.get(user=u.member).quiet_end is not None


def test_the_delivery_log_is_the_district_admins_for_their_district(world, client, count_queries):
    u = world.users
    tell([u.department_staff], 1, context={"area_path": world.c1.path})
    message = Message.objects.get()
    Delivery.objects.create(
        message=message,
        channel="sms",
        status="failed",
        attempts=5,
        last_error="短信网关超时",
        address_masked="138****5678",
        district_path=message.district_path,
        due_at=message.created_at,
    )
    url = reverse("notifications:deliveries")
    client.force_login(u.district_admin)
    html = client.get(url).content.decode()
    assert "138****5678" in html and "短信网关超时" in html and "事件 C1：派单" in html
    assert "发送失败" in html
    assert "138****5678" not in client.get(url, {"status": "sent"}).content.decode()
    for user in (u.subdistrict_admin, u.community_worker, u.department_staff):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    from dangjian.conftest import make_user

    other_admin = make_user("qu2", "district_admin", area=other)
    client.force_login(other_admin)
    assert "138****5678" not in client.get(url).content.decode()
    few = count_queries(u.district_admin, url)
    for _n in range(30):
        Delivery.objects.create(
            message=Message.objects.create(
                recipient=u.member,
                event="x.y.z",
                object_key=f"k{_n}",
                title="t",
                district_path=message.district_path,
                created_at=message.created_at,
            ),
            channel="sms",
            district_path=message.district_path,
            due_at=message.created_at,
        )
    assert count_queries(u.district_admin, url) == few


def test_every_page_shows_the_bell_and_loads_its_count_after_the_page(world, client):
    client.force_login(world.users.community_worker)
    html = client.get(INBOX).content.decode()
    assert 'data-testid="bell"' in html and reverse("notifications:bell") in html
