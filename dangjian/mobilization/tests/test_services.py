from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.demands import services as demands
from dangjian.demands.models import Demand, DemandStatus
from dangjian.mobilization import proposals, selectors, services
from dangjian.mobilization.models import Call, CallStatus, Need, Placement, Quota, Visit, VisitStatus
from dangjian.notifications.models import Message

from .conftest import issue


def answer(m, callup, **kw):
    return services.call_answer(actor=m.user, callup=callup, available=True, **kw)


def test_it_calls_the_in_service_members_living_in_the_scope_once_each(world, mob):
    callup = issue(world)
    called = set(Call.objects.filter(callup=callup).values_list("user__username", flat=True))
    assert called == {"dy_near", "dy_c1b", "dy_c2", "dy_far"}
    assert callup.called_count == 4 and callup.fanout_done_at is not None
    assert Message.objects.filter(event="mobilization.callup.call").count() == 4
    msg = Message.objects.filter(recipient=mob.near.user).get()
    assert f"/mobilization/{callup.public_id}/reply/" in msg.url
    # a second run calls nobody twice
    assert services.fanout_run(callup.pk) == 0
    total, _rows = selectors.situation(callup, world.district)
    assert (total.called, total.wanted, total.placed) == (4, 4, 0)


def test_a_subdistrict_call_up_calls_only_its_own_members_and_rejects_nodes_outside(world, mob):
    callup = issue(world, actor=world.users.subdistrict_admin, quotas=[(world.g1a, 1)])
    assert set(Call.objects.filter(callup=callup).values_list("user__username", flat=True)) == {
        "dy_near", "dy_c1b", "dy_c2",
    }  # fmt: skip
    with pytest.raises(ValidationError):
        issue(world, actor=world.users.subdistrict_admin, quotas=[(world.g3, 1)])
    with pytest.raises(ValidationError):
        issue(world, actor=world.users.community_worker)


def test_proposals_rank_the_grid_of_the_home_estate_first_with_reasons(world, mob):
    callup = issue(world)
    call = answer(mob.near, callup)
    ranked = proposals.propose(call)
    assert ranked[0].grid.name == "婆石第一网格"
    assert any("住在本网格的小区" in r for r in ranked[0].reasons)
    assert any("公里" in r for r in ranked[0].reasons)
    far = proposals.propose(answer(mob.far, callup))
    assert far and all("住在本社区" not in " ".join(p.reasons) for p in far)
    many = proposals.propose_many([call], proposals.open_grids(callup))
    assert many[call.pk][0].grid.name == "婆石第一网格"


def test_placing_fills_the_headcount_and_nobody_is_placed_twice_in_overlapping_time(world, mob):
    callup = issue(world)
    other = issue(world, title="防汛", quotas=[(world.g1b, 1)])
    call = answer(mob.near, callup)
    placement = services.placement_confirm(actor=world.users.subdistrict_admin, call=call, grid=world.g1a)
    assert Quota.objects.get(callup=callup, area=world.g1a).placed == 1
    with pytest.raises(ValidationError, match="已被安排"):
        services.placement_confirm(actor=world.users.subdistrict_admin, call=call, grid=world.g1b)
    second = answer(mob.near, other)
    with pytest.raises(ValidationError, match="同一时间不能重复安排"):
        services.placement_confirm(actor=world.users.subdistrict_admin, call=second, grid=world.g1b)
    # moving frees the first grid's place and fills the other
    moved = services.placement_move(actor=world.users.subdistrict_admin, placement=placement, grid=world.g1b)
    assert Quota.objects.get(callup=callup, area=world.g1a).placed == 0
    assert Quota.objects.get(callup=callup, area=world.g1b).placed == 1
    assert Placement.objects.filter(call=call, status="active").get() == moved
    total, _rows = selectors.situation(callup, world.s1)
    assert (total.placed, total.wanted, total.unmet) == (1, 4, 3)
    # a commander outside the grid cannot place there
    with pytest.raises(ValidationError):
        services.placement_confirm(
            actor=world.users.subdistrict_admin_outsider, call=answer(mob.c1b, callup), grid=world.g1a
        )


def test_a_visit_need_becomes_exactly_one_demand_for_a_deployed_member_who_meets_it(world, mob):
    callup = issue(world)
    services.placement_confirm(actor=world.users.subdistrict_admin, call=answer(mob.near, callup), grid=world.g1a)
    assert services.visit_list_build(actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a) == 2
    assert services.visit_list_build(actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a) == 0
    visit = Visit.objects.get(callup=callup, household=mob.h1)
    assert visit.tags == ["独居老人"] and not Visit.objects.filter(household=mob.h3).exists()
    services.visit_record(actor=mob.near.user, visit=visit, needs=["meals", "medicine"])
    services.visit_record(actor=mob.near.user, visit=visit, needs=["meals"])  # a second tap
    assert Need.objects.filter(visit=visit).count() == 2
    assert Demand.objects.count() == 2
    demand = Need.objects.get(visit=visit, kind="meals").demand
    assert demand.status == DemandStatus.DISPATCHED and demand.assigned_user_id == mob.near.user_id
    demand = demands.demand_take(actor=mob.near.user, demand=demand)
    demands.demand_done(actor=mob.near.user, demand=demand, note="已送餐", hours="1")
    assert Need.objects.get(visit=visit, kind="meals").met_at is not None
    other = Visit.objects.get(callup=callup, household=mob.h2)
    with pytest.raises(ValidationError):
        services.visit_excuse(actor=mob.near.user, visit=other, reason="")
    services.visit_excuse(actor=mob.near.user, visit=other, reason="住院中，已电话联系家属")
    total, _rows = selectors.situation(callup, world.g1a)
    assert (total.listed, total.visited, total.excused, total.pending, total.needs, total.met) == (2, 1, 1, 0, 2, 1)
    with pytest.raises(ValidationError):  # not deployed here
        services.visit_record(actor=mob.far.user, visit=visit, needs=["other"], notes={"other": "x"})


def test_tasks_report_from_the_phone_and_count_open_and_done(world, mob):
    callup = issue(world)
    services.placement_confirm(actor=world.users.subdistrict_admin, call=answer(mob.near, callup), grid=world.g1a)
    task = services.task_create(
        actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a, title="值守1栋卡口", assignee=mob.near.user
    )
    with pytest.raises(ValidationError):
        services.task_create(
            actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a, title="x", assignee=mob.far.user
        )
    services.task_report(actor=mob.near.user, task=task, text="已到岗")
    services.task_report(actor=mob.near.user, task=task, text="已完成交接", done=True)
    with pytest.raises(ValidationError):
        services.task_report(actor=mob.near.user, task=task, text="again", done=True)
    total, _rows = selectors.situation(callup, world.district)
    assert (total.tasks, total.open, total.done) == (1, 0, 1)


def test_hours_are_credited_once_per_verified_shift_and_kept_on_the_call(world, mob):
    from dangjian.timebank.models import Journal
    from dangjian.volunteering import attendance

    callup = issue(world)
    call = answer(mob.near, callup)
    services.placement_confirm(actor=world.users.subdistrict_admin, call=call, grid=world.g1a)
    now = timezone.now()
    duty = services.duty_shift_create(
        actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a, start=now - timezone.timedelta(hours=3),
        end=now + timezone.timedelta(hours=1), capacity=2,
    )  # fmt: skip
    assert duty.shift.signups.filter(user=mob.near.user).exists()

    def token(at):
        return attendance.CHECKIN.make(kind="post", public_id=duty.shift.post.public_id, rotate_minutes=10, now=at)

    before = now - timezone.timedelta(hours=2)
    attendance.scan(actor=mob.near.user, token=token(before), expected="check_in", now=before)
    attendance.scan(actor=mob.near.user, token=token(now), expected="check_out", now=now)
    attendance.scan(actor=mob.near.user, token=token(now), expected="check_out", now=now)  # a retry
    call.refresh_from_db()
    assert call.hours == Decimal("2.0")
    assert Journal.objects.filter(key__startswith="volunteering:attendance:").count() == 1
    total, _rows = selectors.situation(callup, world.g1a)
    assert total.hours == Decimal("2.0")


def test_the_temporary_organization_lives_as_long_as_the_call_up(world, mob):

    callup = issue(world)
    services.placement_confirm(actor=world.users.subdistrict_admin, call=answer(mob.near, callup), grid=world.g1a)
    org = services.temp_org_create(actor=world.users.district_admin, callup=callup)
    assert org.org_type == "temp_committee" and org.parent_id == world.dc.pk
    services.placement_confirm(actor=world.users.subdistrict_admin, call=answer(mob.c2, callup), grid=world.g2)
    assert set(callup.org_members.values_list("member__name", flat=True)) == {"dy_near", "dy_c2"}
    mob.near.refresh_from_db()
    assert mob.near.org_id == world.eb.pk  # home organization unchanged
    callup.refresh_from_db()
    meeting = services.temp_org_meeting(
        actor=world.users.district_admin, callup=callup, title="临时党委第一次会议", starts_at=timezone.now()
    )
    assert meeting.attendees.count() >= 2
    with pytest.raises(ValidationError):
        services.callup_end(actor=world.users.subdistrict_admin, callup=callup)
    Message.objects.all().delete()
    ended = services.callup_end(actor=world.users.district_admin, callup=callup)
    told = sorted(Message.objects.filter(event="mobilization.callup.end").values_list("recipient__username", flat=True))
    assert told == ["dy_c2", "dy_near"]  # the deployed, once each
    org.refresh_from_db()
    assert ended.status == "ended" and org.closed_on is not None
    assert ended.archive["org"]["members"] and ended.archive["figures"]["placed"] == 2
    assert [h["name"] for h in ended.archive["honours"]] and ended.archive["org"]["meetings"]
    with pytest.raises(ValidationError):
        answer(mob.c1b, callup)


def test_a_declined_answer_counts_as_answered_not_available(world, mob):
    callup = issue(world)
    services.call_answer(actor=mob.far.user, callup=callup, available=False)
    call = Call.objects.get(callup=callup, user=mob.far.user)
    assert call.status == CallStatus.DECLINED
    total, _rows = selectors.situation(callup, world.district)
    assert (total.answered, total.available, total.declined) == (1, 0, 1)
    assert VisitStatus.PENDING == "pending"
