"""吹哨报到: blowing the whistle on a case, the departments' reports in order, late and missing
reports, closing when all have acted, escalation to the district; the pages and their scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.cases import services
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseDepartment, CaseLog, CaseStatus, Summons, Whistle, WhistleLevel
from dangjian.cases.whistle import services as ws
from dangjian.cases.workflow import Step
from dangjian.conftest import make_user
from dangjian.core.workflow import StaleObject, TransitionRefused
from dangjian.units.models import Department

# A point inside grid g1a (community c1, subdistrict s1) of the `world` fixture.
G1A_POINT = {"lat": 22.205, "lng": 113.505}


def filed(world, *, description="小区门口垃圾堆放三天无人清运，气味很大", category="garbage", point=G1A_POINT) -> Case:
    """A case a resident files from the phone, through intake's service."""
    return case_submit(actor=world.users.resident, channel="phone", category=category, description=description, **point)


def accepted_case(world, **kw) -> Case:
    case = filed(world, **kw)
    return services.case_accept(actor=world.users.community_worker, case=case, version=case.version)


def dispatched_case(world, **kw) -> Case:
    """Accepted by the community worker (its owner) and dispatched to the city-management department."""
    case = accepted_case(world, **kw)
    return services.case_dispatch(
        actor=world.users.community_worker, case=case, kind="department", department=world.dept, version=case.version
    )


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def blow(world, case=None, *, departments=None, hours=4, actor=None) -> Whistle:
    case = case or dispatched_case(world)
    return ws.whistle_blow(
        actor=actor or world.users.community_worker,
        case=case,
        departments=departments or [world.dept, world.dept2],
        report_by=in_hours(hours),
        reason="垃圾清运涉及环卫和城管，社区协调不动，请两部门到场",
    )


def summons_of(whistle: Whistle, department) -> Summons:
    return Summons.objects.get(whistle=whistle, department=department)


# -- the service --------------------------------------------------------------------------------------
def test_it_blows_the_whistle_and_the_summoned_departments_may_read_the_case(world):
    case = dispatched_case(world)
    assert not Case.objects.visible_to(world.users.department_staff_outsider).filter(pk=case.pk).exists()
    whistle = blow(world, case)
    assert whistle.level == WhistleLevel.COMMUNITY
    assert whistle.blown_by == world.users.community_worker
    assert sorted(s.department.name for s in whistle.summonses.all()) == sorted([world.dept.name, world.dept2.name])
    assert set(CaseDepartment.objects.filter(case=case).values_list("department_id", flat=True)) == {
        world.dept.pk,
        world.dept2.pk,
    }
    # dept2's staff (summoned, not the assignee) now read the case.
    assert Case.objects.visible_to(world.users.department_staff_outsider).filter(pk=case.pk).exists()
    entry = CaseLog.objects.filter(case=case, step=Step.WHISTLE).get()
    assert world.dept2.name in entry.note and entry.to_status == CaseStatus.DISPATCHED
    case.refresh_from_db()
    assert case.version == entry.case.version  # the step moved the version with the log row
    assert AuditEvent.objects.filter(object_type="cases.whistle", object_id=str(whistle.public_id)).exists()


def test_it_blows_at_the_level_of_the_blower(world):
    case = dispatched_case(world)
    whistle = blow(world, case, actor=world.users.subdistrict_admin)
    assert whistle.level == WhistleLevel.SUBDISTRICT


@pytest.mark.parametrize(
    "who", ["department_staff", "grid_worker", "community_worker_outsider", "subdistrict_admin_outsider", "resident"]
)
def test_it_refuses_a_whistle_from_someone_without_a_part_in_the_case(world, who):
    case = dispatched_case(world)
    with pytest.raises(TransitionRefused, match="不能对事件"):
        blow(world, case, actor=getattr(world.users, who))
    assert not Whistle.objects.exists()


def test_it_refuses_a_whistle_on_a_case_not_yet_accepted_or_already_closed(world):
    case = filed(world)
    with pytest.raises(TransitionRefused, match="待受理"):
        blow(world, case)
    assert not Whistle.objects.exists()


def test_it_refuses_departments_that_do_not_serve_the_place(world):
    elsewhere = Department.objects.create(name="吉大街道综合执法队", kind="city_management", area=world.s2)
    with pytest.raises(ValidationError) as caught:
        blow(world, departments=[elsewhere])
    assert "不服务该事件所在地" in str(caught.value)


def test_it_refuses_a_report_time_in_the_past_and_an_empty_reason(world):
    case = dispatched_case(world)
    with pytest.raises(ValidationError, match="晚于现在"):
        blow(world, case, hours=-1)
    with pytest.raises(ValidationError, match="吹哨事由"):
        ws.whistle_blow(
            actor=world.users.community_worker, case=case, departments=[world.dept], report_by=in_hours(2), reason=" "
        )
    assert not CaseLog.objects.filter(case=case, step=Step.WHISTLE).exists()


def test_it_refuses_a_second_open_whistle_at_the_same_level_and_writes_nothing(world):
    whistle = blow(world)
    logs = CaseLog.objects.count()
    with pytest.raises(TransitionRefused, match="未结束的社区吹哨"):
        blow(world, whistle.case, departments=[world.dept2])
    assert Whistle.objects.count() == 1 and CaseLog.objects.count() == logs


def test_it_refuses_a_whistle_on_a_stale_version(world):
    case = dispatched_case(world)
    read_at = case.version
    services.case_take(actor=world.users.department_staff, case=case, version=case.version)
    with pytest.raises(StaleObject):
        ws.whistle_blow(
            actor=world.users.community_worker,
            case=case,
            departments=[world.dept2],
            report_by=in_hours(2),
            reason="需要环卫到场",
            version=read_at,
        )


def test_it_takes_reports_in_order_and_refuses_steps_out_of_order(world):
    whistle = blow(world)
    staff = world.users.department_staff_outsider  # dept2: summoned, not the assignee
    summons = summons_of(whistle, world.dept2)
    with pytest.raises(TransitionRefused, match="请先响应，再到场"):
        ws.summons_report(actor=staff, summons=summons, what="attend")
    ws.summons_report(actor=staff, summons=summons, what="acknowledge", note="收到，30分钟内到场")
    with pytest.raises(TransitionRefused, match="已经响应过了"):
        ws.summons_report(actor=staff, summons=summons, what="acknowledge")
    with pytest.raises(TransitionRefused, match="请先到场，再处置"):
        ws.summons_report(actor=staff, summons=summons, what="act")
    ws.summons_report(actor=staff, summons=summons, what="attend")
    ws.summons_report(actor=staff, summons=summons, what="act", note="已清运，设置临时垃圾点")
    summons.refresh_from_db()
    assert summons.acknowledged_at <= summons.attended_at <= summons.acted_at
    assert summons.note == "已清运，设置临时垃圾点" and summons.reported_by == staff
    reports = list(CaseLog.objects.filter(case=whistle.case, step=Step.REPORT).values_list("note", flat=True))
    assert len(reports) == 3 and all(world.dept2.name in note for note in reports)
    whistle.refresh_from_db()
    assert whistle.closed_at is None  # dept has not acted yet


def test_it_lets_only_the_summoned_departments_staff_report(world):
    whistle = blow(world, departments=[world.dept2])
    summons = summons_of(whistle, world.dept2)
    for user in (world.users.department_staff, world.users.community_worker, world.users.subdistrict_admin):
        with pytest.raises(TransitionRefused, match="只有被召集部门"):
            ws.summons_report(actor=user, summons=summons, what="acknowledge")
    summons.refresh_from_db()
    assert summons.acknowledged_at is None


def test_it_closes_the_whistle_when_every_summoned_department_has_acted(world):
    whistle = blow(world)
    for department, staff in (
        (world.dept, world.users.department_staff),
        (world.dept2, world.users.department_staff_outsider),
    ):
        for what in ws.REPORT_STAGES:
            ws.summons_report(actor=staff, summons=summons_of(whistle, department), what=what)
        whistle.refresh_from_db()
    assert whistle.closed_at is not None
    last = CaseLog.objects.filter(case=whistle.case, step=Step.REPORT).order_by("-pk").first()
    assert "吹哨结束" in last.note
    with pytest.raises(TransitionRefused, match="吹哨已结束|已完成全部报到"):
        ws.summons_report(actor=world.users.department_staff, summons=summons_of(whistle, world.dept), what="act")


def test_it_records_a_late_report_and_shows_who_has_not_reported(world):
    whistle = blow(world, hours=1)
    # Blown two hours ago with an hour to report: one department acknowledged in time, the other not at all.
    now = timezone.now()
    Whistle.objects.filter(pk=whistle.pk).update(
        blown_at=now - datetime.timedelta(hours=2), report_by=now - datetime.timedelta(hours=1)
    )
    ws.summons_report(
        actor=world.users.department_staff,
        summons=summons_of(whistle, world.dept),
        what="acknowledge",
        at=now - datetime.timedelta(minutes=90),
    )
    later = summons_of(whistle, world.dept2)
    state = ws.summons_state(Summons.objects.select_related("whistle").get(pk=later.pk), now)
    assert state["code"] == "missing" and state["red"] and state["label"] == "超时未报到"
    on_time = Summons.objects.select_related("whistle").get(whistle=whistle, department=world.dept)
    state = ws.summons_state(on_time, now)
    assert state["code"] == "behind" and state["label"] == "超时未到场" and not state["late"]
    ws.summons_report(actor=world.users.department_staff_outsider, summons=later, what="acknowledge")
    state = ws.summons_state(Summons.objects.select_related("whistle").get(pk=later.pk), timezone.now())
    assert state["late"] and state["stages"][0]["late"] and not state["stages"][1]["at"]
    assert "晚于报到时限" in CaseLog.objects.filter(step=Step.REPORT).order_by("-pk").first().note


def test_it_refuses_report_times_in_the_future_or_before_the_previous_step(world):
    whistle = blow(world)
    staff = world.users.department_staff
    summons = summons_of(whistle, world.dept)
    with pytest.raises(ValidationError, match="不能晚于现在"):
        ws.summons_report(actor=staff, summons=summons, what="acknowledge", at=in_hours(2))
    with pytest.raises(ValidationError, match="不能早于吹哨时间"):
        ws.summons_report(actor=staff, summons=summons, what="acknowledge", at=in_hours(-1))
    Whistle.objects.filter(pk=whistle.pk).update(blown_at=timezone.now() - datetime.timedelta(hours=1))
    base = timezone.now()
    ws.summons_report(actor=staff, summons=summons, what="acknowledge", at=base - datetime.timedelta(minutes=30))
    summons.refresh_from_db()
    with pytest.raises(ValidationError, match="不能早于上一步"):
        ws.summons_report(
            actor=staff, summons=summons, what="attend", at=summons.acknowledged_at - datetime.timedelta(minutes=1)
        )
    ws.summons_report(actor=staff, summons=summons, what="attend", at=base - datetime.timedelta(minutes=15))
    summons.refresh_from_db()
    assert summons.attended_at - summons.acknowledged_at == datetime.timedelta(minutes=15)


def test_it_refuses_reports_once_the_case_is_closed(world):
    whistle = blow(world)
    case = whistle.case
    services.case_close(actor=world.users.department_staff, case=case, result="已清运完毕")
    with pytest.raises(TransitionRefused, match="无需再报到"):
        ws.summons_report(
            actor=world.users.department_staff, summons=summons_of(whistle, world.dept), what="acknowledge"
        )


def test_it_escalates_an_open_whistle_to_the_district(world):
    whistle = blow(world)
    district_dept = Department.objects.create(name="香洲区住建局", kind="other", area=world.district)
    escalated = ws.whistle_escalate(
        actor=world.users.subdistrict_admin,
        whistle=whistle,
        departments=[district_dept, world.dept2],
        report_by=in_hours(8),
        reason="两部门推诿，街道协调无果",
    )
    assert escalated.level == WhistleLevel.DISTRICT and escalated.escalated_from == whistle
    assert escalated.summonses.count() == 2
    assert CaseDepartment.objects.filter(case=whistle.case, department=district_dept).exists()
    entry = CaseLog.objects.filter(case=whistle.case, step=Step.ESCALATE).get()
    assert entry.actor == world.users.subdistrict_admin and district_dept.name in entry.note
    with pytest.raises(TransitionRefused, match="请勿重复上报"):
        ws.whistle_escalate(
            actor=world.users.subdistrict_admin,
            whistle=whistle,
            departments=[district_dept],
            report_by=in_hours(8),
            reason="再次上报",
        )
    with pytest.raises(TransitionRefused, match="已是区级"):
        ws.whistle_escalate(
            actor=world.users.subdistrict_admin,
            whistle=escalated,
            departments=[district_dept],
            report_by=in_hours(8),
            reason="再次上报",
        )


@pytest.mark.parametrize("who", ["community_worker", "subdistrict_admin_outsider", "district_admin"])
def test_it_lets_only_the_street_chief_of_the_case_escalate(world, who):
    whistle = blow(world)
    with pytest.raises(TransitionRefused):
        ws.whistle_escalate(
            actor=getattr(world.users, who),
            whistle=whistle,
            departments=[world.dept2],
            report_by=in_hours(8),
            reason="上报",
        )
    assert Whistle.objects.count() == 1


# -- the pages --------------------------------------------------------------------------------------
def test_it_shows_the_whistle_form_only_within_scope(world, assert_scoped):
    case = dispatched_case(world)
    url = reverse("cases:whistle_blow", args=[case.public_id])
    assert_scoped(
        url,
        owner=world.users.community_worker,
        colleague=world.users.community_worker_colleague,
        outsider=world.users.community_worker_outsider,
        expect_text=case.number,
    )
    assert_scoped(url, owner=world.users.subdistrict_admin, outsider=world.users.subdistrict_admin_outsider)


def test_it_blows_the_whistle_from_the_form(world, login):
    case = dispatched_case(world)
    client = login(world.users.community_worker_colleague)
    url = reverse("cases:whistle_blow", args=[case.public_id])
    page = client.get(url)
    assert world.dept2.name in page.content.decode()
    when = timezone.localtime(in_hours(3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {"departments": [world.dept2.pk], "report_by": when, "reason": "需要环卫到场", "version": case.version},
    )
    whistle = Whistle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:whistle_detail", args=[whistle.public_id]
    )
    assert whistle.blown_by == world.users.community_worker_colleague


def test_it_shows_form_errors_in_chinese_and_refuses_those_without_a_part(world, login):
    case = dispatched_case(world)
    url = reverse("cases:whistle_blow", args=[case.public_id])
    client = login(world.users.community_worker)
    response = client.post(url, {"report_by": "", "reason": "", "version": case.version})
    body = response.content.decode()
    assert response.status_code == 200 and "请至少选择一个要召集的部门" in body and "请写明吹哨事由" in body
    client = login(world.users.department_staff)  # reads the case (assignee) but has no part in a whistle
    response = client.post(
        url, {"departments": [world.dept2.pk], "report_by": "2030-01-01T10:00", "reason": "x", "version": case.version}
    )
    assert response.status_code == 403 and not Whistle.objects.exists()


def test_it_shows_the_board_to_the_street_chief_with_who_has_not_reported(world, login, assert_scoped):
    whistle = blow(world, hours=1)
    ws.summons_report(actor=world.users.department_staff, summons=summons_of(whistle, world.dept), what="acknowledge")
    Whistle.objects.filter(pk=whistle.pk).update(report_by=timezone.now() - datetime.timedelta(minutes=5))
    url = reverse("cases:whistle_board")
    assert_scoped(
        url + "?state=all",
        owner=world.users.subdistrict_admin,
        colleague=world.users.district_admin,
        outsider=world.users.resident,
    )
    body = login(world.users.subdistrict_admin).get(url).content.decode()
    assert whistle.case.number in body
    assert f'data-department="{world.dept2.name}" data-state="missing"' in body
    assert f'data-department="{world.dept.name}" data-state="behind"' in body
    assert "1 个部门超时未报到" in body
    # The other subdistrict's chief sees an empty board.
    other = login(world.users.subdistrict_admin_outsider).get(url).content.decode()
    assert whistle.case.number not in other and "目前没有进行中的吹哨" in other
    late_only = login(world.users.subdistrict_admin).get(url + "?late=1").content.decode()
    assert whistle.case.number in late_only


def test_it_shows_a_department_only_its_own_summonses_and_reports_from_the_board(world, login):
    whistle = blow(world, departments=[world.dept2])
    url = reverse("cases:whistle_board")
    client = login(world.users.department_staff_outsider)
    body = client.get(url).content.decode()
    assert whistle.case.number in body and 'data-testid="report-acknowledge"' in body
    summons = summons_of(whistle, world.dept2)
    report = reverse("cases:summons_report", args=[summons.public_id])
    response = client.post(report, {"what": "acknowledge", "note": "收到", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    summons.refresh_from_db()
    assert summons.acknowledged_at is not None and summons.note == "收到"
    assert 'data-testid="report-attend"' in client.get(url).content.decode()
    # dept's staff were not summoned by this whistle: not on their board, and they cannot report on it.
    other = login(world.users.department_staff)
    assert whistle.case.number not in other.get(url).content.decode()
    assert other.post(report, {"what": "attend"}).status_code == 404


def test_it_shows_a_refused_report_as_a_message(world, login):
    whistle = blow(world, departments=[world.dept2])
    summons = summons_of(whistle, world.dept2)
    client = login(world.users.department_staff_outsider)
    response = client.post(reverse("cases:summons_report", args=[summons.public_id]), {"what": "act"}, follow=True)
    assert "请先响应，再处置" in response.content.decode()
    summons.refresh_from_db()
    assert summons.acted_at is None


def test_it_shows_a_whistle_only_to_those_who_read_its_case(world, assert_scoped):
    whistle = blow(world, departments=[world.dept2])
    url = reverse("cases:whistle_detail", args=[whistle.public_id])
    assert_scoped(
        url,
        owner=world.users.community_worker,
        colleague=world.users.department_staff_outsider,  # dept2, summoned
        outsider=world.users.community_worker_outsider,
        expect_text=whistle.case.number,
    )
    assert_scoped(url, owner=world.users.subdistrict_admin, outsider=world.users.subdistrict_admin_outsider)
    assert_scoped(url, owner=world.users.district_admin, outsider=world.users.grid_worker_outsider)


def test_it_escalates_from_the_page_after_confirmation(world, login, assert_scoped):
    whistle = blow(world)
    url = reverse("cases:whistle_escalate", args=[whistle.public_id])
    assert_scoped(
        url,
        owner=world.users.subdistrict_admin,
        colleague=world.users.subdistrict_admin_colleague,
        outsider=world.users.subdistrict_admin_outsider,
    )
    client = login(world.users.subdistrict_admin)
    detail = client.get(reverse("cases:whistle_detail", args=[whistle.public_id])).content.decode()
    assert 'data-testid="escalate"' in detail
    page = client.get(url).content.decode()
    assert "确认上报区级" in page and not Whistle.objects.filter(level=WhistleLevel.DISTRICT).exists()
    when = timezone.localtime(in_hours(6)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"departments": [world.dept.pk], "report_by": when, "reason": "推诿", "version": whistle.case.version}
    )
    escalated = Whistle.objects.get(level=WhistleLevel.DISTRICT)
    assert response["Location"] == reverse("cases:whistle_detail", args=[escalated.public_id])
    # The community worker cannot reach the escalation page at all.
    assert login(world.users.community_worker).get(url).status_code == 404


def test_it_reads_the_board_in_a_bounded_number_of_queries(world, count_queries):
    url = reverse("cases:whistle_board") + "?state=all"
    blow(world)
    few = count_queries(world.users.subdistrict_admin, url)
    for n in range(4):
        case = dispatched_case(world, description=f"第{n}处路灯不亮，晚上很黑，老人出行不便", category="street_light")
        blow(world, case, departments=[world.dept, world.dept2])
    assert count_queries(world.users.subdistrict_admin, url) == few
    staff_url = reverse("cases:whistle_board")
    one = count_queries(world.users.department_staff, staff_url)
    blow(world, dispatched_case(world, description="井盖缺失，有人差点掉下去", category="manhole"))
    assert count_queries(world.users.department_staff, staff_url) == one


def test_it_puts_the_menu_item_where_the_roles_need_it(world, login):
    extra = make_user("gw-menu", "grid_worker", area=world.g1a)
    for user, expected in (
        (world.users.subdistrict_admin, True),
        (world.users.district_admin, True),
        (world.users.community_worker, True),
        (world.users.department_staff, True),
        (extra, False),
        (world.users.resident, False),
    ):
        body = login(user).get(reverse("dashboard:home")).content.decode()
        assert ('data-nav="whistles"' in body) is expected, user.username
