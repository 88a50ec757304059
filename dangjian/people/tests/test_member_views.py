"""Member pages: scope for every view, search and filters, reveal with audit, transfer and status
steps with confirmation, floating and pocket members, the member's own page, bounded queries."""

import datetime

import pytest
from django.urls import reverse

from dangjian.audit.models import Action, AuditEvent
from dangjian.people.models import Member, MemberTransfer
from dangjian.people.services import members as members_services

from .conftest import make_id

PERSON_ROLES = ("member", "resident", "unit_contact", "department_staff", "grid_worker", "nobody")


def member_urls(member) -> list[str]:
    pid = member.public_id
    return [
        reverse("people:member_detail", args=[pid]),
        reverse("people:member_edit", args=[pid]),
        reverse("people:member_transfer", args=[pid]),
        reverse("people:member_status", args=[pid]),
    ]


def test_member_pages_are_scoped_to_the_members_organization(people, world, assert_scoped):
    u = world.users
    for url in member_urls(people.own):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.community_worker_colleague, outsider=u.community_worker_outsider
        )
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    restore = reverse("people:member_restore", args=[people.pocket.public_id])
    assert_scoped(
        restore, owner=u.community_worker, colleague=u.community_worker_colleague, outsider=u.community_worker_outsider
    )
    missing = reverse("people:member_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert_scoped(missing, owner=None, outsider=u.district_admin)


def test_person_roles_and_grid_workers_get_404_on_the_member_pages(people, world, login):
    urls = [
        reverse("people:member_list"),
        reverse("people:member_create"),
        reverse("people:member_floating"),
        reverse("people:member_home_fields"),
        reverse("people:member_restore", args=[people.floating.public_id]),
        *member_urls(people.own),
    ]
    for role in PERSON_ROLES:
        client = login(getattr(world.users, role))
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)


def test_a_member_living_here_but_organized_elsewhere_is_seen_not_managed(people, world, login):
    client = login(world.users.community_worker)  # 婆石 (c1); the lodger's branch is in 海虹 (c3)
    detail = client.get(reverse("people:member_detail", args=[people.lodger.public_id]))
    assert detail.status_code == 200 and "不在您的管理范围内" in detail.content.decode()
    for url in member_urls(people.lodger)[1:]:
        assert client.get(url).status_code == 404
    assert login(world.users.community_worker_outsider).get(member_urls(people.lodger)[1]).status_code == 200


def test_the_list_shows_the_scope_masked_and_finds_by_pinyin_initials(people, world, login):
    client = login(world.users.community_worker)
    body = client.get(reverse("people:member_list")).content.decode()
    for name in ("王建国", "李住客", "赵流动", "钱口袋", "孙预备"):
        assert name in body
    assert "海虹党员" not in body
    assert people.own.masked_id_number in body and people.own.id_number not in body
    assert "139****5678" in body and "13912345678" not in body
    found = client.get(reverse("people:member_list"), {"q": "wjg"}).content.decode()
    assert "王建国" in found and "赵流动" not in found
    assert "王建国" in client.get(reverse("people:member_list"), {"q": "建国"}).content.decode()
    outsider = login(world.users.community_worker_outsider).get(reverse("people:member_list"), {"q": "wjg"})
    assert "王建国" not in outsider.content.decode()


def test_the_list_filters_by_status_category_organization_and_home(people, world, login):
    client = login(world.users.district_admin)
    url = reverse("people:member_list")

    def names(**params):
        page = client.get(url, params).context["page"]
        return {m.name for m in page.object_list}

    assert names(status="floating") == {"赵流动"}
    assert names(category="probationary") == {"孙预备"}
    assert names(org=str(world.cc1.public_id)) == {"王建国", "赵流动", "孙预备"}  # the committee's subtree
    assert names(community=str(world.c3.public_id)) == {"海虹党员"}
    members_services.member_set_status(actor=None, member=people.own, status="deceased", note="病故")
    assert "王建国" not in names()  # off the books by default
    assert "王建国" in names(status="all")
    assert names(org="not-a-uuid") == names()  # a bad filter is ignored, not an error


def test_the_list_has_bounded_queries(people, world, count_queries):
    url = reverse("people:member_list")
    before = count_queries(world.users.district_admin, url)
    for n in range(8):
        members_services.member_create(
            actor=None,
            name=f"新党员{n}",
            id_number=make_id(datetime.date(1980, 1, 1 + n), 100 + n),
            mobile=f"1391234{n:04d}",
            org=world.eb if n % 2 else world.eb3,
            home_community=world.c1,
        )
    assert count_queries(world.users.district_admin, url) == before
    floating_url = reverse("people:member_floating")
    before = count_queries(world.users.district_admin, floating_url)
    for member in Member.objects.filter(name__startswith="新党员"):
        members_services.member_set_status(actor=None, member=member, status="floating", note="外出")
    assert count_queries(world.users.district_admin, floating_url) == before


def test_revealing_is_a_post_that_writes_an_audit_row(people, world, login):
    url = reverse("people:member_reveal", args=[people.own.public_id, "id_number"])
    client = login(world.users.community_worker)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and response.content.decode() == people.own.id_number
    assert response["Cache-Control"].startswith("max-age=0")
    row = AuditEvent.objects.get(action=Action.REVEAL)
    assert (row.actor, row.object_id, row.changes) == (
        world.users.community_worker,
        str(people.own.public_id),
        {"field": "id_number"},
    )
    assert client.post(reverse("people:member_reveal", args=[people.own.public_id, "name"])).status_code == 404
    assert login(world.users.community_worker_outsider).post(url).status_code == 404
    assert login(world.users.grid_worker).post(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == 1


def test_a_member_reveals_their_own_data_only_and_it_is_audited(people, world, login):
    client = login(world.users.member)
    own = client.post(reverse("people:member_reveal", args=[people.own.public_id, "mobile"]))
    assert own.content.decode() == "13912345678"
    assert AuditEvent.objects.filter(action=Action.REVEAL, actor=world.users.member).count() == 1
    other = client.post(reverse("people:member_reveal", args=[people.other.public_id, "mobile"]))
    assert other.status_code == 404


def test_my_member_page_shows_the_own_record_masked(people, world, login):
    url = reverse("people:my_member")
    body = login(world.users.member).get(url).content.decode()
    assert "王建国" in body and "中珠新村小区党支部" in body
    assert people.own.masked_id_number in body and people.own.id_number not in body
    for role in ("community_worker", "district_admin", "resident", "grid_worker"):
        assert login(getattr(world.users, role)).get(url).status_code == 404
    people.own.user = None
    people.own.save(update_fields=["user"])
    assert "还没有关联党员信息" in login(world.users.member).get(url).content.decode()


def test_the_transfer_asks_for_confirmation_then_moves_the_member(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_transfer", args=[people.own.public_id])
    step1 = client.post(url, {"to_org": str(world.ub.public_id), "reason": "工作调动"})
    assert step1.status_code == 200 and "确定将「王建国」的组织关系从「中珠新村小区党支部」转至「口岸中心党支部」" in (
        step1.content.decode()
    )
    assert not MemberTransfer.objects.exists()
    step2 = client.post(url, {"to_org": str(world.ub.public_id), "reason": "工作调动", "confirm": "1"})
    assert step2.status_code == 302
    people.own.refresh_from_db()
    assert people.own.org == world.ub
    detail = client.get(reverse("people:member_detail", args=[people.own.public_id])).content.decode()
    assert "中珠新村小区党支部 → 口岸中心党支部" in detail and "工作调动" in detail


def test_the_transfer_form_offers_only_visible_organizations(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_transfer", args=[people.own.public_id])
    response = client.post(url, {"to_org": str(world.eb3.public_id), "confirm": "1"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    people.own.refresh_from_db()
    assert people.own.org == world.eb


def test_taking_a_member_off_the_books_asks_for_confirmation(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_status", args=[people.own.public_id])
    first = client.post(url, {"status": "deceased", "note": "病故"})
    assert "确定将「王建国」的状态由「在职」改为「已去世」" in first.content.decode()
    people.own.refresh_from_db()
    assert people.own.status == "in_service"
    client.post(url, {"status": "deceased", "note": "病故", "confirm": "1"})
    people.own.refresh_from_db()
    assert people.own.status == "deceased"
    # Other changes go straight through.
    client.post(
        reverse("people:member_status", args=[people.floating.public_id]), {"status": "retired", "note": "回来"}
    )
    people.floating.refresh_from_db()
    assert people.floating.status == "retired"


def test_creating_a_member_through_the_form(world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_create")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"name": "刘芳", "id_number": "440402199001011235", "category": "full", "status": "in_service"}
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "校验位错误" in body
    assert "须填写所在党组织" in body
    number = make_id(datetime.date(1990, 1, 1), 124)
    data = {
        "name": "刘芳",
        "id_number": number,
        "mobile": "13912340000",
        "category": "full",
        "status": "in_service",
        "joined_on": "2015-07-01",
        "org": str(world.eb.public_id),
        "workplace": str(world.unit.public_id),
        "home_community": str(world.c1.public_id),
        "home_estate": str(world.estate.public_id),
        "home_building": str(world.building.public_id),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    member = Member.objects.get(name="刘芳")
    assert (member.birth_date, member.sex, member.home_building, member.workplace) == (
        datetime.date(1990, 1, 1),
        "female",
        world.building,
        world.unit,
    )
    assert response["Location"] == reverse("people:member_detail", args=[member.public_id])


def test_editing_keeps_organization_and_status_out_of_the_form(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_edit", args=[people.own.public_id])
    page = client.get(url).content.decode()
    assert 'name="org"' not in page and 'name="status"' not in page
    assert people.own.id_number in page  # the edit form shows the full value to those who may change it
    reveal = AuditEvent.objects.get(action=Action.REVEAL)  # ... and that counts as a reveal
    assert reveal.changes == {"field": "id_number,mobile", "via": "edit"}
    assert reveal.actor == world.users.community_worker
    response = client.post(
        url,
        {
            "name": "王建国",
            "id_number": people.own.id_number,
            "mobile": "13700000000",
            "category": "full",
            "home_community": str(world.c1.public_id),
        },
    )
    assert response.status_code == 302
    people.own.refresh_from_db()
    assert people.own.mobile == "13700000000" and people.own.home_estate is None and people.own.org == world.eb


def test_the_home_fields_follow_the_community_chosen(people, world, login):
    client = login(world.users.district_admin)
    url = reverse("people:member_home_fields")
    body = client.get(url, {"home_community": str(world.c1.public_id)}).content.decode()
    assert "中珠新村" in body and "海虹花园" not in body
    body = client.get(
        url, {"home_community": str(world.c1.public_id), "home_estate": str(world.estate.public_id)}
    ).content.decode()
    assert "1栋" in body
    assert "海虹花园" in client.get(url, {"home_community": str(world.c3.public_id)}).content.decode()
    # A community outside the scope offers nothing.
    body = login(world.users.community_worker).get(url, {"home_community": str(world.c3.public_id)}).content.decode()
    assert "海虹花园" not in body


def test_the_floating_page_lists_floating_and_pocket_members_per_organization(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_floating")
    body = client.get(url).content.decode()
    assert "赵流动" in body and "钱口袋" in body and "王建国" not in body
    assert "外出务工（深圳）" in body  # the latest note says where they went
    assert "136****1111" in body and "13600001111" not in body
    only_branch = client.get(url, {"org": str(world.eb.public_id)}).content.decode()
    assert "赵流动" in only_branch and "钱口袋" not in only_branch  # the pocket member has no organization yet
    assert "赵流动" not in login(world.users.community_worker_outsider).get(url).content.decode()


def test_bringing_a_pocket_member_under_management_from_the_page(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_restore", args=[people.pocket.public_id])
    missing_org = client.post(url, {"status": "in_service", "note": "已联系"})
    assert missing_org.status_code == 200 and "errorlist" in missing_org.content.decode()
    done = client.post(url, {"status": "in_service", "org": str(world.eb.public_id), "note": "介绍信已交"})
    assert done.status_code == 302
    people.pocket.refresh_from_db()
    assert (people.pocket.status, people.pocket.org) == ("in_service", world.eb)
    assert client.get(url).status_code == 404  # no longer a pocket member


@pytest.mark.parametrize("role", ["district_admin", "subdistrict_admin", "community_worker"])
def test_admins_and_community_workers_reach_the_member_list(people, world, login, role):
    assert login(getattr(world.users, role)).get(reverse("people:member_list")).status_code == 200
