"""Pages of 软弱涣散整顿: scope for every view, role gating, forms, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.orgs.models import RectificationStep, WeakCaseStatus, WeakOrgCase
from dangjian.orgs.weak import services

S = WeakCaseStatus
NOT_IN_WEAK_ROLES = ("grid_worker", "member", "resident", "unit_contact", "department_staff", "nobody")


@pytest.fixture
def case(make_case, world):
    return make_case(world.eb, S.RECTIFYING)


def case_urls(case):
    step = case.steps.get()
    return {
        "detail": reverse("orgs:weak_detail", args=[case.public_id]),
        "step_done": reverse("orgs:weak_step_done", args=[step.public_id]),
    }


def admin_urls(case):
    step = case.steps.get()
    return {
        "step_add": reverse("orgs:weak_step_add", args=[case.public_id]),
        "step_edit": reverse("orgs:weak_step_edit", args=[step.public_id]),
        "step_delete": reverse("orgs:weak_step_delete", args=[step.public_id]),
        "flag": reverse("orgs:weak_flag") + f"?org={case.org.public_id}",
    }


def test_case_pages_are_scoped_for_workers_and_admins(world, case, make_case, assert_scoped, client):
    u = world.users
    ready = make_case(world.ub, S.RECTIFYING)
    RectificationStep.objects.filter(case=ready).update(done_at=timezone.now(), done_note="已完成")
    apply = reverse("orgs:weak_transition", args=[ready.public_id, "apply"])
    for url in [*case_urls(case).values(), apply]:
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
        assert_scoped(url, owner=u.district_admin, colleague=u.subdistrict_admin, outsider=u.subdistrict_admin_outsider)
    # The progress-note endpoint (POST only) likewise.
    url = reverse("orgs:weak_note_add", args=[case.public_id])
    for user, expected in ((u.community_worker, 302), (u.subdistrict_admin, 302), (u.community_worker_outsider, 404)):
        client.force_login(user)
        assert client.post(url, {"text": "进展"}).status_code == expected, user.username
    assert case.notes.count() == 2


def test_plan_pages_are_for_admins_in_scope(world, case, assert_scoped):
    u = world.users
    for url in admin_urls(case).values():
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
        assert_scoped(url, owner=u.subdistrict_admin_colleague, outsider=u.community_worker)


def test_every_weak_page_is_hidden_from_roles_outside_the_work(world, case, login):
    urls = [reverse("orgs:weak_list"), *case_urls(case).values(), *admin_urls(case).values()]
    for name in NOT_IN_WEAK_ROLES:
        client = login(getattr(world.users, name))
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)


def test_the_list_shows_only_cases_in_scope(world, make_case, login):
    make_case(world.eb, S.RECTIFYING)
    make_case(world.eb3, S.FLAGGED)
    url = reverse("orgs:weak_list")
    body = login(world.users.community_worker).get(url).content.decode()
    assert "中珠新村小区党支部" in body and "海虹花园小区党支部" not in body
    body = login(world.users.community_worker_outsider).get(url).content.decode()
    assert "中珠新村小区党支部" not in body and "海虹花园小区党支部" in body
    body = login(world.users.district_admin).get(url, {"subdistrict": str(world.s2.public_id)}).content.decode()
    assert "中珠新村小区党支部" not in body and "海虹花园小区党支部" in body
    assert 'id="weak-chart-data"' in body and "吉大街道" in body


def test_the_list_has_bounded_queries(world, make_case, count_queries, reasons):
    u = world.users
    make_case(world.eb, S.RECTIFYING)
    url = reverse("orgs:weak_list")
    before = {name: count_queries(getattr(u, name), url) for name in ("district_admin", "community_worker")}
    for org in (world.ub, world.cc1, world.bg, world.hub):
        make_case(org, S.RECTIFYING, steps=2, deadline=timezone.localdate())
    make_case(world.eb3, S.APPLIED)
    make_case(world.wc1, S.DELISTED, responsible=u.district_admin)
    after = {name: count_queries(getattr(u, name), url) for name in ("district_admin", "community_worker")}
    assert after == before
    assert WeakOrgCase.objects.count() == 7


def test_the_detail_page_has_bounded_queries(world, make_case, count_queries, login):
    case = make_case(world.eb, S.RECTIFYING)
    url = reverse("orgs:weak_detail", args=[case.public_id])
    before = count_queries(world.users.community_worker, url)
    admin = world.users.district_admin
    for n in range(5):
        services.weak_step_add(
            actor=admin,
            case=case,
            title=f"新措施{n}",
            deadline=timezone.localdate(),
            responsible=world.users.community_worker,
        )
        services.weak_note_add(actor=world.users.community_worker, case=case, text=f"进展{n}")
    assert count_queries(world.users.community_worker, url) == before


def test_an_admin_flags_an_org_found_by_pinyin(world, reasons, login):
    client = login(world.users.subdistrict_admin)
    url = reverse("orgs:weak_flag")
    body = client.get(url, {"q": "kazx"}).content.decode()  # 口岸中心党支部
    assert "口岸中心党支部" in body and f"?org={world.ub.public_id}" in body
    assert "海虹" not in client.get(url, {"q": "hhhy"}).content.decode()  # outside 拱北街道
    partial = client.get(url, {"q": "口岸", "partial": "search"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "口岸中心党支部" in partial
    response = client.post(url, {"org": str(world.ub.public_id), "other_reason": ""})
    assert "请至少选择一项列入原因，或填写其他原因。" in response.content.decode()
    response = client.post(
        url,
        {
            "org": str(world.ub.public_id),
            "reasons": ["members_lax", "public_order_problems"],
            "situation": "长期未活动",
        },
    )
    case = WeakOrgCase.objects.get(org=world.ub)
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert sorted(case.reasons.values_list("code", flat=True)) == ["members_lax", "public_order_problems"]
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "党员管理松散" in detail and "治安问题突出" in detail and "长期未活动" in detail
    # Once open, it is marked in the search and not offered again.
    assert "整顿中" in client.get(url, {"q": "口岸"}).content.decode()
    assert "摘帽前不能重复列入" in client.get(url, {"org": str(world.ub.public_id)}).content.decode()
    assert client.post(url, {"org": str(world.eb3.public_id), "reasons": ["members_lax"]}).status_code == 404


def test_the_plan_is_made_approved_worked_and_delisted_through_the_pages(world, reasons, login, client):
    u = world.users
    case = services.weak_case_flag(actor=u.subdistrict_admin, org=world.eb, reasons=[reasons["members_lax"]])
    admin = login(u.subdistrict_admin)
    detail = case.get_absolute_url()
    step_add = reverse("orgs:weak_step_add", args=[case.public_id])
    form = admin.get(step_add).content.decode()
    assert str(u.community_worker.public_id) in form and str(u.community_worker_outsider.public_id) not in form
    deadline = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = admin.post(
        step_add, {"title": "补选支委", "deadline": deadline, "responsible": str(u.community_worker_outsider.public_id)}
    )
    assert "请从列表中选择责任人。" in response.content.decode()
    response = admin.post(
        step_add, {"title": "补选支委", "deadline": deadline, "responsible": str(u.community_worker.public_id)}
    )
    assert response.status_code == 302
    step = RectificationStep.objects.get(case=case)
    # The workflow's steps ask for confirmation: GET shows the question, POST acts.
    approve = reverse("orgs:weak_transition", args=[case.public_id, "approve_plan"])
    assert "确认批准整改方案" in admin.get(approve).content.decode()
    assert admin.post(approve, {"note": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.RECTIFYING
    # The worker marks their step done and applies.
    worker = login(u.community_worker)
    assert "标记完成" in worker.get(detail).content.decode()
    done = reverse("orgs:weak_step_done", args=[step.public_id])
    assert "请填写完成情况。" in worker.post(done, {"note": ""}).content.decode()
    assert worker.post(done, {"note": "已补选支委2名"}).status_code == 302
    apply = reverse("orgs:weak_transition", args=[case.public_id, "apply"])
    assert worker.post(apply, {"note": "整改完成"}).status_code == 302
    # A worker cannot approve: the page says why and does nothing.
    delist = reverse("orgs:weak_transition", args=[case.public_id, "delist"])
    response = worker.post(delist, {"note": "同意"}, follow=True)
    assert "您当前的身份不能批准摘帽" in response.content.decode()
    admin = login(u.subdistrict_admin)
    assert "请填写审批意见。" in admin.post(delist, {"note": ""}).content.decode()
    response = admin.post(delist, {"note": "验收合格，同意摘帽"}, follow=True)
    body = response.content.decode()
    assert "已摘帽" in body and "验收合格，同意摘帽" in body and "jd1" in body
    case.refresh_from_db()
    assert case.status == S.DELISTED and case.delisted_by == u.subdistrict_admin
    assert admin.get(reverse("orgs:weak_transition", args=[case.public_id, "reopen"])).status_code == 404


def test_an_illegal_step_is_refused_with_its_reason_on_the_page(world, make_case, login):
    case = make_case(world.eb, S.RECTIFYING)
    client = login(world.users.community_worker)
    apply = reverse("orgs:weak_transition", args=[case.public_id, "apply"])
    body = client.post(apply, follow=True).content.decode()
    assert "还有 1 项整改措施未完成：「整改措施1」" in body
    case.refresh_from_db()
    assert case.status == S.RECTIFYING
    client = login(world.users.community_worker_colleague)
    done = reverse("orgs:weak_step_done", args=[case.steps.get().public_id])
    body = client.post(done, {"note": "完成"}, follow=True).content.decode()
    assert "只有责任人（sq1）或区级、街道管理员可以标记" in body
    assert not RectificationStep.objects.filter(case=case, done_at__isnull=False).exists()


def test_an_admin_edits_and_deletes_a_step_after_confirming(world, make_case, login):
    case = make_case(world.eb, S.FLAGGED, steps=2)
    first, second = case.steps.order_by("pk")
    client = login(world.users.subdistrict_admin)
    edit = reverse("orgs:weak_step_edit", args=[first.public_id])
    assert "整改措施1" in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "title": "补选支部书记",
            "deadline": first.deadline.isoformat(),
            "responsible": str(world.users.community_worker_colleague.public_id),
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.responsible) == ("补选支部书记", world.users.community_worker_colleague)
    delete = reverse("orgs:weak_step_delete", args=[second.public_id])
    assert "确定要删除整改措施「整改措施2」" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert list(case.steps.values_list("title", flat=True)) == ["补选支部书记"]
    assert AuditEvent.objects.filter(action="delete", object_id=str(second.public_id)).exists()


def test_the_org_page_shows_its_weak_status_and_the_flag_link_to_admins(world, make_case, login):
    org_url = reverse("orgs:detail", args=[world.eb.public_id])
    body = login(world.users.subdistrict_admin).get(org_url).content.decode()
    assert "未被列为软弱涣散基层党组织" in body and f"?org={world.eb.public_id}" in body
    case = make_case(world.eb, S.RECTIFYING)
    body = login(world.users.community_worker).get(org_url).content.decode()
    assert "整改中" in body and case.get_absolute_url() in body and f"?org={world.eb.public_id}" not in body
    body = login(world.users.subdistrict_admin).get(org_url).content.decode()
    assert f"?org={world.eb.public_id}" not in body  # already open
