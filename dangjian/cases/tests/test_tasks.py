"""The periodic case tasks on the queue, and what they put into 今日待办 (overdue cases first)."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.cases import services, supervision, tasks
from dangjian.cases.models import Case, CaseStatus, ExtensionStatus
from dangjian.cases.todo import case_todos
from dangjian.cases.whistle import services as ws
from dangjian.core.todo import register, todos_for

from .whistle.test_whistle import dispatched_case, filed, in_hours

PAST = datetime.timedelta(hours=100)


def make_overdue(case: Case, by: datetime.timedelta = PAST) -> Case:
    """Move a case's deadline into the past, as time passing would."""
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - by)
    case.refresh_from_db()
    return case


def test_it_runs_the_deadline_scan_as_a_periodic_task_and_a_second_run_does_nothing(world):
    case = make_overdue(dispatched_case(world))
    first = tasks.case_deadline_scan.call_local()
    assert first["overdue"]["done"] == 1 and first["escalate"]["done"] == 1
    case.refresh_from_db()
    assert case.overdue_at is not None and case.escalation_level == 2
    second = tasks.case_deadline_scan.call_local()
    assert all(result["done"] == 0 for result in second.values())


def test_it_runs_the_archive_scan_as_a_periodic_task(world):
    owner = world.users.community_worker
    case = dispatched_case(world)
    case = services.case_close(actor=world.users.department_staff, case=case, result="已清运")
    case = services.case_callback(actor=owner, case=case, rating="basic")
    Case.objects.filter(pk=case.pk).update(called_back_at=timezone.now() - datetime.timedelta(days=8))
    assert tasks.case_archive_scan.call_local() == {"done": 1, "skipped": 0}
    assert tasks.case_archive_scan.call_local() == {"done": 0, "skipped": 0}
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED


def test_it_registers_the_provider_for_the_dashboard(world):
    assert register(case_todos) is case_todos  # already registered: registering again adds nothing
    case = make_overdue(dispatched_case(world))
    titles = [item.title for item in todos_for(world.users.community_worker)]
    assert any(case.number in t for t in titles)


def test_it_puts_overdue_cases_first_for_the_owner_and_the_receiver(world):
    soon = dispatched_case(world, description="小区路灯坏了一周，晚上很黑", category="street_light")
    Case.objects.filter(pk=soon.pk).update(deadline=in_hours(5))
    late = make_overdue(dispatched_case(world))
    for user in (world.users.community_worker, world.users.department_staff):
        items = case_todos(user)
        assert items[0].urgent and late.number in items[0].title and "已超期" in items[0].title
        assert items[0].url == late.get_absolute_url()
        due = [i for i in items if soon.number in i.title]
        assert due and not due[0].urgent and "即将到期" in due[0].title
        assert items.index(due[0]) > 0
    # Nobody else has a part in these cases.
    assert not any(late.number in i.title for i in case_todos(world.users.community_worker_outsider))
    assert not any(late.number in i.title for i in case_todos(world.users.department_staff_outsider))


def test_it_shows_escalated_cases_to_the_subdistrict_then_the_district(world):
    case = make_overdue(dispatched_case(world), by=datetime.timedelta(hours=30))
    tasks.case_deadline_scan.call_local()
    case.refresh_from_db()
    assert case.escalation_level == 1
    chief = case_todos(world.users.subdistrict_admin)
    assert chief[0].urgent and case.number in chief[0].title and "已上报街道" in chief[0].title
    assert not any(case.number in i.title for i in case_todos(world.users.district_admin))
    assert not any(case.number in i.title for i in case_todos(world.users.subdistrict_admin_outsider))
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - PAST)
    tasks.case_deadline_scan.call_local()
    assert any(case.number in i.title and i.urgent for i in case_todos(world.users.district_admin))


def test_it_lists_cases_waiting_for_acceptance_and_signing(world):
    waiting = filed(world)
    items = case_todos(world.users.community_worker)
    (accept,) = [i for i in items if i.title == "待受理的事件"]
    assert accept.count == 1 and not accept.urgent and accept.url.startswith(reverse("cases:list"))
    Case.objects.filter(pk=waiting.pk).update(received_at=timezone.now() - datetime.timedelta(hours=5))
    tasks.case_deadline_scan.call_local()
    late = [i for i in case_todos(world.users.community_worker) if i.title == "超时未受理的事件"]
    assert late and late[0].urgent and late[0].count == 1
    dispatched_case(world, description="楼道堆放杂物堵住消防通道", category="fire_lane")
    signing = [i for i in case_todos(world.users.department_staff) if i.title == "派给我的待签收事件"]
    assert signing and signing[0].count == 1
    assert not [i for i in case_todos(world.users.department_staff_outsider) if i.title == "派给我的待签收事件"]


def test_it_lists_a_departments_unreported_summonses_and_tells_the_chief_who_is_late(world):
    case = dispatched_case(world)
    whistle = ws.whistle_blow(
        actor=world.users.community_worker,
        case=case,
        departments=[world.dept2],
        report_by=in_hours(3),
        reason="需要环卫到场",
    )
    items = case_todos(world.users.department_staff_outsider)
    summons = [i for i in items if "吹哨召集" in i.title]
    assert summons and case.number in summons[0].title and "待响应" in summons[0].title and not summons[0].urgent
    assert summons[0].url == reverse("cases:whistle_detail", args=[whistle.public_id])
    assert not [i for i in case_todos(world.users.subdistrict_admin) if "超时未报到" in i.title]
    whistle.report_by = timezone.now() - datetime.timedelta(minutes=1)
    whistle.save(update_fields=["report_by"])
    summons = [i for i in case_todos(world.users.department_staff_outsider) if "吹哨召集" in i.title]
    assert summons[0].urgent and "已超时" in summons[0].title
    chief = [i for i in case_todos(world.users.subdistrict_admin) if "超时未报到" in i.title]
    assert chief and chief[0].urgent and chief[0].count == 1
    assert not [i for i in case_todos(world.users.subdistrict_admin_outsider) if "超时未报到" in i.title]


def test_it_lists_pending_extensions_for_the_supervisor(world):
    case = dispatched_case(world)
    case = services.case_take(actor=world.users.department_staff, case=case)
    extension = supervision.extension_ask(
        actor=world.users.department_staff, case=case, amount=3, unit="workdays", reason="需要协调产权单位"
    )
    assert extension.status == ExtensionStatus.PENDING
    items = [i for i in case_todos(world.users.subdistrict_admin) if "延期申请" in i.title]
    assert items and case.number in items[0].title and items[0].url == case.get_absolute_url()
    assert not [i for i in case_todos(world.users.subdistrict_admin_outsider) if "延期申请" in i.title]
    assert not [i for i in case_todos(world.users.community_worker) if "延期申请" in i.title]


def test_it_builds_the_list_in_a_bounded_number_of_queries(world):
    def queries(user) -> int:
        with CaptureQueriesContext(connection) as ctx:
            case_todos(user)
        return len(ctx.captured_queries)

    def overdue_cases(n: int) -> None:
        for k in range(n):
            make_overdue(dispatched_case(world, description=f"第{k}号楼前道路坑洼积水", category="road_damage"))

    overdue_cases(6)  # one more than the list shows: the "all overdue" item and its count appear
    few = queries(world.users.community_worker)
    overdue_cases(8)
    assert queries(world.users.community_worker) == few
    items = case_todos(world.users.community_worker)
    assert items[5].title == "全部超期事件" and items[5].count == 14 and items[5].urgent


def test_it_shows_nothing_to_residents(world):
    filed(world)
    assert case_todos(world.users.resident) == []
