"""The worker's pages, the registrant's page: scope and roles for every view, query counts, behaviour."""

import datetime

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.registration import services
from dangjian.registration.models import CommunityDocument, Registration, RegistrationStatus

from .conftest import make_member

ROLE_USERS = [
    "district_admin",
    "subdistrict_admin",
    "subdistrict_admin_outsider",
    "community_worker",
    "community_worker_colleague",
    "community_worker_outsider",
    "grid_worker",
    "member",
    "resident",
    "unit_contact",
    "department_staff",
    "nobody",
]
WORKERS_OF_C1 = {"district_admin", "subdistrict_admin", "community_worker", "community_worker_colleague"}
DECIDERS_OF_C1 = {"community_worker", "community_worker_colleague"}


@pytest.fixture
def desk_world(reg_world, submit):
    reg_world.reg = submit(reg_world.people.zhang)
    reg_world.doc = services.document_create(
        actor=None, community=reg_world.c1, title="双报到实施方案", published_on=datetime.date(2026, 3, 1)
    )
    return reg_world


def cases(w):
    """(name, url, method, users who get through); everyone else gets 404 (or the sign-in page)."""
    c1 = w.c1.public_id
    everywhere = WORKERS_OF_C1 | {"subdistrict_admin_outsider", "community_worker_outsider"}
    admins_of_s1 = {"district_admin", "subdistrict_admin"}
    return [
        ("desk", reverse("registration:desk"), "get", everywhere),
        ("desk-community", reverse("registration:desk") + f"?community={c1}", "get", WORKERS_OF_C1),
        ("summary", reverse("registration:summary"), "get", everywhere),
        ("summary-area", reverse("registration:summary") + f"?area={w.s1.public_id}", "get", admins_of_s1),
        ("members", reverse("registration:members") + "?registered=yes", "get", everywhere),
        ("detail", reverse("registration:detail", args=[w.reg.public_id]), "get", WORKERS_OF_C1),
        ("reveal", reverse("registration:reveal_mobile", args=[w.reg.public_id]), "post", WORKERS_OF_C1),
        ("community", reverse("registration:community", args=[c1]), "get", WORKERS_OF_C1),
        ("qr", reverse("registration:link_qr", args=[c1]), "get", WORKERS_OF_C1),
        ("unregistered", reverse("registration:unregistered", args=[c1]), "get", WORKERS_OF_C1),
        ("lists", reverse("registration:five_lists", args=[c1]), "get", WORKERS_OF_C1),
        ("doc-new", reverse("registration:document_create", args=[c1]), "get", DECIDERS_OF_C1),
        ("doc-edit", reverse("registration:document_edit", args=[w.doc.public_id]), "get", DECIDERS_OF_C1),
        ("doc-delete", reverse("registration:document_delete", args=[w.doc.public_id]), "get", DECIDERS_OF_C1),
        ("mine", reverse("registration:mine"), "get", {"member", "unit_contact"}),
    ]  # fmt: skip


def test_every_page_is_scoped_and_role_gated(desk_world, client):
    for name, url, method, allowed in cases(desk_world):
        for who in ROLE_USERS:
            client.force_login(getattr(desk_world.users, who))
            response = getattr(client, method)(url)
            expected = 200 if who in allowed else 404
            assert response.status_code == expected, (name, who, response.status_code)
            client.logout()
        assert client.get(url).status_code == 302, name  # signed out: to the sign-in page


def test_state_changing_endpoints_are_scoped(desk_world, client):
    """Outsiders and non-deciders get 404 and change nothing; the owner's step goes through."""
    w = desk_world
    posts = [
        (reverse("registration:decide", args=[w.reg.public_id, "confirm"]), DECIDERS_OF_C1),
        (reverse("registration:link_generate", args=[w.c1.public_id]), WORKERS_OF_C1),
        (reverse("registration:document_delete", args=[w.doc.public_id]), DECIDERS_OF_C1),
        (reverse("registration:mine_withdraw", args=[w.reg.public_id]), set()),  # 张三 has no account
    ]
    for url, allowed in posts:
        for who in ROLE_USERS:
            if who in allowed:
                continue
            client.force_login(getattr(w.users, who))
            assert client.post(url, {"note": "x"}).status_code == 404, (url, who)
            client.logout()
    w.reg.refresh_from_db()
    assert w.reg.status == RegistrationStatus.SUBMITTED
    assert CommunityDocument.objects.filter(pk=w.doc.pk).exists()
    client.force_login(w.users.community_worker_colleague)
    assert client.post(posts[0][0]).status_code == 302
    w.reg.refresh_from_db()
    assert w.reg.status == RegistrationStatus.CONFIRMED
    assert client.post(reverse("registration:decide", args=[w.reg.public_id, "frobnicate"])).status_code == 404


def test_the_menu_entry_sends_each_role_to_its_page(desk_world, login):
    for who, target in (
        ("community_worker", "registration:desk"),
        ("district_admin", "registration:desk"),
        ("member", "registration:mine"),
        ("unit_contact", "registration:mine"),
    ):
        response = login(getattr(desk_world.users, who)).get(reverse("registration:home"))
        assert response.status_code == 302 and response["Location"] == reverse(target), who
    for who in ("resident", "grid_worker", "department_staff", "nobody"):
        assert login(getattr(desk_world.users, who)).get(reverse("registration:home")).status_code == 404


def test_the_desk_lists_pending_first_and_flags_registrations_away_from_home(desk_world, login, submit):
    w = desk_world
    services.registration_confirm(actor=w.users.community_worker, registration=w.reg)
    away = submit(w.people.hai, w.c1)  # lives in 海虹社区
    pending = submit(w.people.li)
    client = login(w.users.community_worker)
    body = client.get(reverse("registration:desk")).content.decode()
    order = [body.index(f'data-registration="{r.public_id}"') for r in (pending, away, w.reg)]
    assert order[2] > max(order[0], order[1])  # the confirmed one comes after both pending ones
    assert "非居住社区（居住：海虹社区）" in body
    assert "确认后将更新为「婆石社区」" in body  # the confirmation dialog says what confirming does
    flagged = client.get(reverse("registration:desk"), {"flagged": "1"}).content.decode()
    assert str(away.public_id) in flagged and str(pending.public_id) not in flagged
    only_confirmed = client.get(reverse("registration:desk"), {"status": "confirmed"}).content.decode()
    assert str(w.reg.public_id) in only_confirmed and str(pending.public_id) not in only_confirmed
    search = client.get(reverse("registration:desk"), {"q": "李"}).content.decode()
    assert str(pending.public_id) in search and str(away.public_id) not in search
    outsider = login(w.users.community_worker_outsider).get(reverse("registration:desk")).content.decode()
    assert str(away.public_id) not in outsider  # it sits at 婆石社区, outside 海虹社区's worker's scope


def test_confirming_from_the_desk_returns_to_it_with_a_message(desk_world, login):
    w = desk_world
    client = login(w.users.community_worker)
    back = reverse("registration:desk") + "?status=submitted"
    url = reverse("registration:decide", args=[w.reg.public_id, "confirm"])
    response = client.post(url, {"next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "已确认「张三」的报到" in response.content.decode()
    again = client.post(url, {"next": back}, follow=True).content.decode()
    assert "该报到已由 sq1 处理（当前状态：已报到），不能再确认" in again
    evil = client.post(
        reverse("registration:decide", args=[w.reg.public_id, "withdraw"]), {"next": "https://evil.example/"}
    )
    assert evil["Location"] == reverse("registration:desk")


def test_rejecting_without_a_reason_is_refused_with_a_message(desk_world, login):
    client = login(desk_world.users.community_worker)
    url = reverse("registration:decide", args=[desk_world.reg.public_id, "reject"])
    body = client.post(url, {"note": ""}, follow=True).content.decode()
    assert "请填写驳回原因" in body
    desk_world.reg.refresh_from_db()
    assert desk_world.reg.status == RegistrationStatus.SUBMITTED


def test_the_detail_shows_the_log_and_reveals_the_mobile_with_an_audit_row(desk_world, login):
    w = desk_world
    client = login(w.users.subdistrict_admin)
    body = client.get(reverse("registration:detail", args=[w.reg.public_id])).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert "确认报到" not in body  # an admin views; the community decides
    assert "办理记录" in body and "待确认" in body
    response = client.post(reverse("registration:reveal_mobile", args=[w.reg.public_id]))
    assert response.content.decode() == "13912345678"
    event = AuditEvent.objects.get(action="reveal", object_id=str(w.reg.public_id))
    assert event.actor == w.users.subdistrict_admin and event.changes == {"field": "contact_mobile"}


def test_the_unregistered_list_shows_who_should_register_and_has_not(desk_world, login):
    w = desk_world  # 张三 has submitted; 李四 and 王建国 have not; 赵退休 is retired
    client = login(w.users.community_worker)
    url = reverse("registration:unregistered", args=[w.c1.public_id])
    body = client.get(url).content.decode()
    assert "李四" in body and "王建国" in body
    assert "张三" not in body and "赵退休" not in body and "海员" not in body
    units = client.get(url, {"tab": "units"}).content.decode()
    assert "拱北口岸中心" in units and "口岸中心党支部" in units
    services.registration_submit_unit(
        actor=None, unit=w.unit, community=w.c1, contact_name="刘洋", contact_mobile="13800000006"
    )
    assert "拱北口岸中心" not in client.get(url, {"tab": "units"}).content.decode()


def test_the_five_lists_page_has_documents_registrations_and_the_demand_loops_lists(desk_world, login):
    w = desk_world
    services.registration_confirm(actor=w.users.community_worker, registration=w.reg)
    client = login(w.users.community_worker)
    url = reverse("registration:five_lists", args=[w.c1.public_id])
    body = client.get(url).content.decode()
    for title in ("文件清单", "报到清单", "需求清单", "服务清单", "评价清单"):
        assert title in body
    assert "双报到实施方案" in body and "发布文件" in body
    assert "张三" in client.get(url, {"list": "registrations"}).content.decode()
    demands = client.get(url, {"list": "demands"}).content.decode()
    assert "上线后" not in demands and "需求清单" in demands
    admin_body = login(w.users.subdistrict_admin).get(url).content.decode()
    assert "双报到实施方案" in admin_body and "发布文件" not in admin_body


def test_documents_are_created_edited_and_deleted_with_audit_rows(desk_world, login):
    w = desk_world
    client = login(w.users.community_worker)
    response = client.post(
        reverse("registration:document_create", args=[w.c1.public_id]),
        {"title": "在职党员进社区服务指引", "published_on": "2026-04-01", "link": "", "body": "服务项目与时间"},
    )
    assert response.status_code == 302
    doc = CommunityDocument.objects.get(title="在职党员进社区服务指引")
    assert AuditEvent.objects.filter(action="create", object_id=str(doc.public_id)).exists()
    missing = client.post(reverse("registration:document_create", args=[w.c1.public_id]), {"published_on": ""})
    assert missing.status_code == 200 and "errorlist" in missing.content.decode()
    client.post(
        reverse("registration:document_edit", args=[doc.public_id]),
        {"title": "服务指引（修订）", "published_on": "2026-04-02", "link": "https://example.org/a", "body": ""},
    )
    doc.refresh_from_db()
    assert doc.title == "服务指引（修订）"
    event = AuditEvent.objects.get(action="update", object_id=str(doc.public_id))
    assert event.changes["title"] == ["在职党员进社区服务指引", "服务指引（修订）"]
    confirm_page = client.get(reverse("registration:document_delete", args=[doc.public_id])).content.decode()
    assert "此操作不可恢复" in confirm_page
    client.post(reverse("registration:document_delete", args=[doc.public_id]))
    assert not CommunityDocument.objects.filter(pk=doc.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(doc.public_id)).exists()


def test_the_community_page_shows_the_qr_code_of_the_public_link(desk_world, login):
    w = desk_world
    client = login(w.users.community_worker)
    body = client.get(reverse("registration:community", args=[w.c1.public_id])).content.decode()
    assert f"/registration/r/{w.link1.token}/" in body and "<svg" in body and "重新生成" in body
    svg = client.get(reverse("registration:link_qr", args=[w.c1.public_id]))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<?xml")
    # A community without a link yet offers to generate one.
    body = login(w.users.community_worker).get(reverse("registration:community", args=[w.c1.public_id]))
    w.link1.delete()
    body = client.get(reverse("registration:community", args=[w.c1.public_id])).content.decode()
    assert "生成报到链接" in body
    client.post(reverse("registration:link_generate", args=[w.c1.public_id]))
    assert AuditEvent.objects.filter(object_type="registration.registrationlink", action="create").count() == 3


def test_the_summary_counts_who_should_register_and_who_did(desk_world, login):
    w = desk_world
    services.registration_confirm(actor=w.users.community_worker, registration=w.reg)
    services.registration_submit_unit(
        actor=None, unit=w.unit, community=w.c1, contact_name="刘洋", contact_mobile="13800000006"
    )
    body = login(w.users.district_admin).get(reverse("registration:summary")).content.decode()
    assert "summary-chart" in body and "echarts.min.js" in body
    assert '"members_share": [33.3, 0, 0]' in body  # 婆石 1 of 3; 茂盛 has nobody; 海虹 0 of 1
    only_c1 = login(w.users.community_worker).get(reverse("registration:summary")).content.decode()
    assert "婆石社区" in only_c1 and "海虹社区" not in only_c1


def test_a_member_sees_their_own_status_and_registers_from_their_page(desk_world, login):
    w = desk_world
    client = login(w.users.member)  # 王建国
    body = client.get(reverse("registration:mine")).content.decode()
    assert "未报到" in body and "报到社区：<strong>婆石社区</strong>" in body
    response = client.post(reverse("registration:mine"), {"mobile": "13955556666", "skills": ["周末课堂"]})
    assert response.status_code == 302
    reg = Registration.objects.get(member=w.people.wang)
    assert reg.community == w.c1 and reg.skills == ["周末课堂"]
    assert "已提交，等待社区确认" in client.get(reverse("registration:mine")).content.decode()
    services.registration_confirm(actor=w.users.community_worker, registration=reg)
    body = client.get(reverse("registration:mine")).content.decode()
    assert "已报到" in body and "在「婆石社区」报到" in body and "双报到实施方案" in body
    response = client.post(reverse("registration:mine_withdraw", args=[reg.public_id]), {"note": "搬家"})
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.WITHDRAWN


def test_a_member_without_a_member_record_is_told_whom_to_ask(desk_world, login):
    desk_world.people.wang.user = None
    desk_world.people.wang.save(update_fields=["user"])
    body = login(desk_world.users.member).get(reverse("registration:mine")).content.decode()
    assert "您的账号尚未关联党员信息" in body


def test_a_unit_contact_registers_the_units_organization(desk_world, login):
    w = desk_world
    client = login(w.users.unit_contact)
    body = client.get(reverse("registration:mine")).content.decode()
    assert "本单位双报到" in body and "口岸中心党支部" in body and "未报到" in body
    client.post(reverse("registration:mine"), {"contact_name": "刘洋", "contact_mobile": "13800000006"})
    reg = Registration.objects.get(unit=w.unit)
    assert reg.org == w.ub and reg.status == RegistrationStatus.SUBMITTED


def test_the_home_page_todos(desk_world, login):
    from dangjian.registration import todo  # noqa: F401  (the lead wires it in dashboard/apps.py)

    w = desk_world
    body = login(w.users.community_worker).get(reverse("dashboard:home")).content.decode()
    assert "双报到待确认" in body
    assert "您还没有到居住社区报到" in login(w.users.member).get(reverse("dashboard:home")).content.decode()
    assert "本单位党组织还没有到社区报到" in login(w.users.unit_contact).get(reverse("dashboard:home")).content.decode()


def grow(w, n, start):
    """n more members, each with a registration, and n documents, in 婆石社区."""
    for k in range(n):
        member = make_member(f"新党员{start + k}", 100 + start + k, org=w.eb, home=w.c1)
        services.registration_submit_member(actor=None, member=member, community=w.c1, contact_mobile="13912345678")
        make_member(f"未报到{start + k}", 300 + start + k, org=w.eb, home=w.c1)
        services.document_create(
            actor=None, community=w.c1, title=f"文件{start + k}", published_on=datetime.date.today()
        )


def test_list_pages_have_bounded_query_counts(desk_world, count_queries):
    w = desk_world
    c1 = w.c1.public_id
    pages = {
        "community_worker": [
            reverse("registration:desk"),
            reverse("registration:desk") + "?flagged=1&q=党员",
            reverse("registration:unregistered", args=[c1]),
            reverse("registration:unregistered", args=[c1]) + "?tab=units",
            reverse("registration:five_lists", args=[c1]),
            reverse("registration:five_lists", args=[c1]) + "?list=registrations",
            reverse("registration:five_lists", args=[c1]) + "?list=demands",
            reverse("registration:community", args=[c1]),
            reverse("registration:summary"),
            reverse("registration:members"),
            reverse("registration:members") + f"?area={c1}&registered=yes",
            reverse("registration:members") + f"?area={c1}&registered=no",
        ],
        "district_admin": [
            reverse("registration:desk"),
            reverse("registration:summary"),
            reverse("registration:members") + f"?area={w.s1.public_id}&registered=yes",
        ],
    }
    grow(w, 2, 0)
    services.registration_confirm(actor=w.users.community_worker, registration=w.reg)  # every list has rows
    before = {who: [count_queries(getattr(w.users, who), url) for url in urls] for who, urls in pages.items()}
    grow(w, 8, 2)
    for reg in Registration.objects.filter(status="submitted")[:4]:
        services.registration_confirm(actor=w.users.community_worker, registration=reg)
    after = {who: [count_queries(getattr(w.users, who), url) for url in urls] for who, urls in pages.items()}
    assert after == before
    assert max(max(v) for v in after.values()) <= 20, after
