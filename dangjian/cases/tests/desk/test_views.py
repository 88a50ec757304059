"""The workbench pages: the scoped list and its filters, the case page and every step posted from it,
the audited phone reveal, the claim board; scope (owner and colleague see, outsider gets 404) and
bounded query counts."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.cases import services
from dangjian.cases.models import Case, CaseLog, CaseStatus, Extension
from dangjian.cases.tests.test_workflow import accepted, fresh, submit
from dangjian.cases.workflow import Step

LIST = reverse("cases:list")


def detail_url(case):
    return reverse("cases:detail", args=[case.public_id])


def step_url(case, step):
    return reverse("cases:step", args=[case.public_id, step])


def dispatched(world, department=None):
    case = accepted(world, reporter_phone="13812345678")
    return services.case_dispatch(
        actor=world.users.community_worker, case=case, kind="department", department=department or world.dept
    )


def test_it_lists_cases_in_scope_with_overdue_first(world, login):
    u = world.users
    soon = accepted(world, description="路灯不亮已经一周", category="street_light")
    late = accepted(world, description="井盖缺失很危险", category="manhole")
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=5))
    Case.objects.filter(pk=soon.pk).update(deadline=timezone.now() + datetime.timedelta(hours=5))
    far = submit(world, place={"lat": 22.305, "lng": 113.605}, description="海虹花园噪音扰民")
    page = login(u.community_worker).get(LIST).content.decode()
    assert page.index(late.number) < page.index(soon.number)
    assert "已超期" in page and far.number not in page
    assert late.number in login(u.community_worker).get(LIST, {"overdue": "on"}).content.decode()
    assert soon.number not in login(u.community_worker).get(LIST, {"tab": "overdue"}).content.decode()
    found = login(u.community_worker).get(LIST, {"q": "井盖"}).content.decode()
    assert late.number in found and soon.number not in found
    found = login(u.community_worker).get(LIST, {"category": "street_light"}).content.decode()
    assert soon.number in found and late.number not in found
    found = login(u.district_admin).get(LIST, {"area": str(world.c3.public_id)}).content.decode()
    assert far.number in found and soon.number not in found
    assert "没有符合条件的事件" in login(u.community_worker).get(LIST, {"q": "不存在的内容"}).content.decode()


def test_the_place_filters_load_when_more_filters_open_and_keep_the_scope(world, login):
    u = world.users
    closed = login(u.district_admin).get(LIST).content.decode()
    # Closed 更多条件: empty place selects that fetch their options when it opens.
    assert reverse("cases:list_filter", args=["area"]) in closed and world.c3.name not in closed
    assert reverse("cases:list_filter", args=["department"]) in closed and world.dept.name not in closed
    areas = login(u.district_admin).get(reverse("cases:list_filter", args=["area"])).content.decode()
    assert 'name="area"' in areas and world.c3.name in areas and "全部属地" in areas
    departments = login(u.district_admin).get(reverse("cases:list_filter", args=["department"])).content.decode()
    assert 'name="department"' in departments and world.dept.name in departments
    # A community worker is offered its own places only.
    mine = login(u.community_worker).get(reverse("cases:list_filter", args=["area"])).content.decode()
    assert world.g1a.name in mine and world.c3.name not in mine
    # Opened by a filter of its own: the places come with the page, the chosen one selected.
    opened = login(u.district_admin).get(LIST, {"area": str(world.c3.public_id)}).content.decode()
    assert "<details open>" in opened and f'value="{world.c3.public_id}" selected>' in opened
    assert login(u.district_admin).get(reverse("cases:list_filter", args=["nothing"])).status_code == 404
    assert login(u.resident).get(reverse("cases:list_filter", args=["area"])).status_code in (403, 404)


def test_it_shows_a_department_only_what_was_sent_to_it(world, login):
    u = world.users
    mine = dispatched(world)
    other = dispatched(world, department=world.dept2)
    never = accepted(world)
    page = login(u.department_staff).get(LIST).content.decode()
    assert mine.number in page and other.number not in page and never.number not in page
    assert "待签收" in page and "处置中" in page and "已超期" in page
    assert login(u.department_staff).get(detail_url(other)).status_code == 404
    assert login(u.department_staff).get(detail_url(never)).status_code == 404


def test_it_scopes_the_case_page_and_every_step(world, assert_scoped, login):
    u = world.users
    case = dispatched(world)
    assert_scoped(
        detail_url(case), owner=u.community_worker, colleague=u.department_staff, outsider=u.community_worker_outsider
    )
    assert_scoped(detail_url(case), owner=u.subdistrict_admin, outsider=u.department_staff_outsider)
    for step in Step.values:
        if step in ("submit", "whistle", "report", "escalate", "warn", "overdue", "reopen"):
            continue
        for outsider in (u.community_worker_outsider, u.department_staff_outsider, u.subdistrict_admin_outsider):
            response = login(outsider).post(step_url(case, step), {"version": case.version})
            assert response.status_code == 404, (step, outsider)
    assert (
        login(u.community_worker_outsider).post(reverse("cases:reveal_phone", args=[case.public_id])).status_code == 404
    )
    assert fresh(case).version == case.version and fresh(case).status == CaseStatus.DISPATCHED


def test_it_offers_the_viewer_only_their_steps(world, login):
    u = world.users
    case = dispatched(world)
    owner_page = login(u.community_worker).get(detail_url(case)).content.decode()
    assert 'data-step="recall"' in owner_page and 'data-step="take"' not in owner_page
    dept_page = login(u.department_staff).get(detail_url(case)).content.decode()
    assert 'data-step="take"' in dept_page and 'data-step="return"' in dept_page
    assert 'data-step="recall"' not in dept_page
    assert "签收并办结" in dept_page and "撤回后承办方" not in dept_page
    assert "撤回后承办方将不能再处理该事件" in owner_page  # the dialog is the confirmation


def test_it_takes_each_step_from_the_page_with_the_version_it_was_read_at(world, login):
    u = world.users
    case = accepted(world)
    client = login(u.community_worker)
    response = client.post(
        step_url(case, "dispatch"),
        {"version": case.version, "kind": "department", "department": str(world.dept.public_id), "note": "请尽快"},
    )
    assert response.status_code == 302 and fresh(case).status == CaseStatus.DISPATCHED
    stale = client.post(step_url(case, "recall"), {"version": case.version}, follow=True).content.decode()
    assert "已被 sq1 更新（派单）" in stale and fresh(case).status == CaseStatus.DISPATCHED
    client = login(u.department_staff)
    client.post(step_url(case, "take"), {"version": fresh(case).version})
    client.post(step_url(case, "note"), {"version": fresh(case).version, "text": "已到场", "public": "on"})
    client.post(
        step_url(case, "extend_ask"),
        {"version": fresh(case).version, "amount": 2, "unit": "workdays", "reason": "等配件"},
    )
    ext = Extension.objects.get(case=case)
    login(u.subdistrict_admin).post(
        step_url(case, "extend_decide"),
        {"version": fresh(case).version, "extension": str(ext.public_id), "decision": "approve"},
    )
    assert Extension.objects.get(pk=ext.pk).status == "approved"
    response = login(u.department_staff).post(
        step_url(case, "close"), {"version": fresh(case).version, "result": "已办结"}
    )
    assert fresh(case).status == CaseStatus.CLOSED
    login(u.community_worker).post(step_url(case, "callback"), {"version": fresh(case).version, "rating": "satisfied"})
    login(u.community_worker).post(step_url(case, "archive"), {"version": fresh(case).version})
    steps = list(CaseLog.objects.filter(case=case).values_list("step", flat=True))
    assert steps[-8:] == ["dispatch", "take", "note", "extend_ask", "extend_decide", "close", "callback", "archive"]
    bad = login(u.community_worker).post(step_url(case, "dispatch"), {"version": "x"}, follow=True).content.decode()
    assert "未能派单" in bad


def test_it_reveals_the_phone_only_on_request_and_audits_it(world, login):
    u = world.users
    case = dispatched(world)
    page = login(u.department_staff).get(detail_url(case)).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = login(u.department_staff).post(reverse("cases:reveal_phone", args=[case.public_id]))
    assert response.content.decode() == "13812345678"
    assert AuditEvent.objects.filter(action="reveal", object_id=str(case.public_id), actor=u.department_staff).exists()


def test_it_lets_the_resident_rate_their_own_case_and_hides_internal_notes(world, login):
    u = world.users
    case = dispatched(world)
    case = services.case_return(actor=u.department_staff, case=case, reason="内部原因：职责不清")
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    case = services.case_close(actor=u.department_staff, case=case, result="垃圾已清运")
    page = login(u.resident).get(detail_url(case)).content.decode()
    assert "垃圾已清运" in page and "内部原因" not in page and 'data-step="callback"' in page
    assert "13812345678" not in page and "显示" not in page
    login(u.resident).post(step_url(case, "callback"), {"version": case.version, "rating": "satisfied", "note": "谢谢"})
    assert fresh(case).status == CaseStatus.CALLED_BACK and fresh(case).rating == "satisfied"
    assert login(u.member).get(detail_url(case)).status_code == 404


def test_it_shows_the_duplicate_box_and_merges_from_it(world, login):
    u = world.users
    main = accepted(world)
    dup = submit(world, description="小区门口垃圾堆放三天无人清运，臭味很大")
    Case.objects.filter(pk=dup.pk).update(possible_duplicate_of=main)
    page = login(u.community_worker).get(detail_url(dup)).content.decode()
    assert "疑似重复" in page and main.number in page and "合并到该事件" in page
    login(u.community_worker).post(step_url(dup, "merge"), {"version": fresh(dup).version, "main": main.number})
    assert fresh(dup).status == CaseStatus.MERGED and fresh(dup).merged_into == main


def test_it_lets_members_and_units_claim_from_their_board(world, login):
    u = world.users
    case = services.case_publish(actor=u.community_worker, case=accepted(world))
    board = reverse("cases:claim_board")
    assert case.number in login(u.member).get(board).content.decode()
    far = __import__("dangjian.conftest", fromlist=["make_user"]).make_user(
        "dy3", "party_member", home_community=world.c3
    )
    assert case.number not in login(far).get(board).content.decode()
    assert login(far).post(reverse("cases:claim", args=[case.public_id])).status_code == 404
    login(u.unit_contact).post(reverse("cases:claim", args=[case.public_id]), {"version": case.version})
    assert fresh(case).assigned_unit == world.unit
    late = login(u.member).post(reverse("cases:claim", args=[case.public_id]), {"version": case.version}, follow=True)
    assert "dw" in late.content.decode() and "认领" in late.content.decode()
    assert login(u.unit_contact).get(detail_url(case)).status_code == 200


def test_a_case_without_grid_or_community_shows_on_the_board_the_list_and_its_page(world, login):
    # A case filed by address alone (or a pin outside every grid) has no grid, perhaps no community:
    # the pages name what is known and never fail on what is not (a missing name inside a filter's
    # argument used to raise and answer 500 for the whole board).
    u = world.users
    case = services.case_publish(actor=u.community_worker, case=accepted(world, address="拱北口岸广场东侧"))
    Case.objects.filter(pk=case.pk).update(grid=None)
    board = login(u.member).get(reverse("cases:claim_board"))
    assert board.status_code == 200 and "拱北口岸广场东侧" in board.content.decode()
    Case.objects.filter(pk=case.pk).update(community=None, address="")
    assert login(u.member).get(reverse("cases:claim_board")).status_code == 200
    listed = login(u.district_admin).get(LIST)
    assert listed.status_code == 200 and case.number in listed.content.decode()
    page = login(u.district_admin).get(detail_url(case))
    assert page.status_code == 200 and "待定位" in page.content.decode()


def test_it_bounds_the_queries_of_the_list(world, count_queries):
    u = world.users
    for _n in range(3):
        dispatched(world)
    few = count_queries(u.community_worker, LIST)
    for n in range(12):
        case = dispatched(world, department=world.dept2 if n % 2 else world.dept)
        if n % 3 == 0:
            services.case_take(actor=u.department_staff if n % 2 == 0 else u.department_staff_outsider, case=case)
    many = count_queries(u.community_worker, LIST)
    # Session, user, roles, the counts, the rows, their places and the categories (no session write:
    # accounts.middleware.SlidingSessionMiddleware; the place filters load when 更多条件 opens).
    assert many == few and many <= 7
    assert count_queries(u.department_staff, LIST) <= 7
    assert count_queries(u.district_admin, f"{LIST}?area={world.c3.public_id}") <= 9


def test_it_puts_the_workbench_in_the_menu_of_the_desk_roles(world, login):
    u = world.users
    for user in (u.community_worker, u.subdistrict_admin, u.district_admin, u.grid_worker, u.department_staff):
        assert 'data-nav="cases_desk"' in login(user).get(reverse("dashboard:home")).content.decode()
        assert login(user).get(LIST).status_code == 200
    for user in (u.resident, u.member, u.unit_contact):
        assert 'data-nav="cases_desk"' not in login(user).get(reverse("dashboard:home")).content.decode()
        assert login(user).get(LIST).status_code == 404
    assert 'data-nav="cases_claim"' in login(u.member).get(reverse("dashboard:home")).content.decode()
