import datetime

from django.utils import timezone

from dangjian.accounts.models import RoleAssignment
from dangjian.core.todo import todos_for

from .. import reminders, todo  # noqa: F401 - todo registers its provider
from ..models import Demand, DemandLog, DemandPolicy, DemandStatus
from . import insight_fixtures as f

HOUR = datetime.timedelta(hours=1)


def _late(world, hours_late: float, **kw) -> Demand:
    return f.demand(community=world.c1, step_due_at=timezone.now() - hours_late * HOUR, **kw)


def test_a_late_step_is_reminded_once_and_escalated_after_the_policys_hours(world):
    w = world
    now = timezone.now()
    a = _late(w, 2, title="迟了两小时", status=DemandStatus.SUBMITTED)
    b = _late(w, 30, title="迟了三十小时", status=DemandStatus.SUBMITTED)
    _late(w, 30, title="已完成", status=DemandStatus.DONE)
    f.demand(community=w.c1, title="未到期", step_due_at=now + HOUR)
    now = timezone.now() + datetime.timedelta(minutes=1)
    assert reminders.scan_remind(now).done == 2
    assert reminders.scan_escalate(now).done == 1
    # Running again writes nothing more.
    assert reminders.scan_all(now) == {"remind": {"done": 0, "skipped": 0}, "escalate": {"done": 0, "skipped": 0}}
    assert DemandLog.objects.filter(step=reminders.REMIND).count() == 2
    assert DemandLog.objects.filter(step=reminders.ESCALATE, demand=b).count() == 1
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.escalated_at is not None and a.escalated_at is None
    assert b.version == 1  # the scan did not take a step: a person's form stays valid
    note = DemandLog.objects.get(step=reminders.REMIND, demand=a).note
    assert "已超时 2 小时" in note and "待受理" in note


def test_a_new_step_is_reminded_afresh(world):
    w = world
    now = timezone.now()
    d = _late(w, 2, status=DemandStatus.SUBMITTED)
    reminders.scan_remind(now)
    later = now + 48 * HOUR
    Demand.objects.filter(pk=d.pk).update(status=DemandStatus.TAKEN, step_due_at=now + 24 * HOUR, version=2)
    assert reminders.scan_remind(later).done == 1
    assert DemandLog.objects.filter(step=reminders.REMIND, demand=d).count() == 2


def test_the_district_policy_sets_the_escalation_delay(world):
    w = world
    DemandPolicy.objects.create(district=w.district, escalate_after_hours=1)
    _late(w, 2, status=DemandStatus.PUBLISHED)
    assert reminders.scan_escalate().done == 1


def test_a_demand_a_person_changed_meanwhile_is_skipped(world):
    w = world
    d = _late(w, 30, status=DemandStatus.SUBMITTED)
    real = reminders._step

    def racing(pk, version, status, write):
        Demand.objects.filter(pk=pk).update(status=DemandStatus.ACCEPTED, version=version + 1)
        return real(pk, version, status, write)

    reminders._step = racing
    try:
        result = reminders.scan_escalate()
    finally:
        reminders._step = real
    assert (result.done, result.skipped) == (0, 1)
    d.refresh_from_db()
    assert d.escalated_at is None and d.status == DemandStatus.ACCEPTED


def test_scans_are_bounded(world):
    w = world
    for _i in range(5):
        _late(w, 2, status=DemandStatus.SUBMITTED)
    assert reminders.scan_remind(limit=3).done == 3
    assert reminders.scan_remind(limit=3).done == 2


def test_todo_puts_late_items_first_and_escalations_go_to_the_secretary(world):
    w = world
    m = f.member("张敏", community=w.c1)
    _late(w, 3, title="待受理超时", status=DemandStatus.SUBMITTED)
    f.demand(community=w.c1, title="刚提交", status=DemandStatus.SUBMITTED, step_due_at=timezone.now() + HOUR)
    _late(w, 40, title="党员超时", status=DemandStatus.TAKEN, assigned_member=m)
    f.demand(community=w.c1, title="新派单", status=DemandStatus.DISPATCHED, assigned_member=m,
             step_due_at=timezone.now() + HOUR)  # fmt: skip
    reminders.scan_all()
    worker = [i.title for i in todos_for(w.users.community_worker) if "需求" in i.title or "超时" in i.title]
    assert worker[0] == "已超时（待受理）：待受理超时" and "待受理的群众需求" in worker
    assert not any("党员超时" in t for t in worker)
    member_items = todos_for(m.user)
    assert member_items[0].urgent and "党员超时" in member_items[0].title and "上报书记" in member_items[0].title
    assert any(i.title == "派给我的待接单需求" and i.count == 1 for i in member_items)
    RoleAssignment.objects.filter(user=w.users.community_worker).update(is_secretary=True)
    fresh = type(w.users.community_worker).objects.get(pk=w.users.community_worker.pk)
    secretary = [i.title for i in todos_for(fresh)]
    assert any("党员超时" in t and "上报书记" in t for t in secretary)
    assert not any("超时" in i.title for i in todos_for(w.users.community_worker_outsider))


def test_the_periodic_tasks_scan_and_auto_close_through_the_loops_service(world):
    from .. import tasks

    w = world
    m = f.member("张敏", community=w.c1)
    _late(w, 2, status=DemandStatus.SUBMITTED)
    old = timezone.now() - datetime.timedelta(days=8)
    done = f.demand(community=w.c1, status=DemandStatus.DONE, assigned_member=m, hours="1.0", done_at=old)
    fresh = f.demand(community=w.c1, status=DemandStatus.DONE, assigned_member=m, hours="1.0", done_at=timezone.now())
    assert tasks.demand_lateness_scan.call_local()["remind"]["done"] == 1
    assert tasks.demand_auto_close.call_local() == 1
    assert tasks.demand_auto_close.call_local() == 0
    done.refresh_from_db()
    fresh.refresh_from_db()
    assert done.status == DemandStatus.CLOSED and fresh.status == DemandStatus.DONE
    closing = DemandLog.objects.get(demand=done, to_status=DemandStatus.CLOSED)
    assert closing.actor is None
