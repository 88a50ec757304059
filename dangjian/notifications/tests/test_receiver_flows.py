"""The people each workflow's names mean, with real objects: the demand matrix, a booking, a 双报到
registration, a weak organization's case, and the lateness scans that tell without taking a step."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from dangjian.centers.services import bookings
from dangjian.centers.tests.conftest import at, next_weekday
from dangjian.centers.tests.conftest import net as net  # noqa: F401  (the fixture)
from dangjian.centers.workflow import Step as BookingStep
from dangjian.demands import reminders
from dangjian.demands.models import DemandStatus
from dangjian.demands.tests import insight_fixtures as demand_rows
from dangjian.demands.tests.test_workflow import WITH_ASSIGNEE, put_in_status, run_step
from dangjian.demands.tests.test_workflow import cast as cast  # noqa: F401  (the fixture)
from dangjian.demands.workflow import DEMAND_FLOW, Party
from dangjian.notifications.models import Message
from dangjian.orgs.tests.conftest import make_case as make_case  # noqa: F401  (the fixture)
from dangjian.orgs.tests.conftest import reasons as reasons  # noqa: F401  (the fixture)
from dangjian.orgs.weak import services as weak
from dangjian.registration import services as registration
from dangjian.registration.tests.conftest import reg_world as reg_world  # noqa: F401  (the fixture)
from dangjian.registration.tests.conftest import submit as submit  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def told(event: str) -> Counter:
    return Counter(Message.objects.filter(event=event).values_list("recipient_id", flat=True))


def once(*users) -> Counter:
    return Counter({u.pk: 1 for u in users})


def demand_expected(world, cast, name: str, source: str, step: str) -> set:
    u = world.users
    if name == "requester":
        return {cast.requester}
    if name == "workers":
        return {u.community_worker, u.community_worker_colleague}
    # assignee: the member in the matrix's statuses, the unit's contact once dispatched to the unit, the
    # claimant after a claim.
    if step == "dispatch":
        return {u.unit_contact}
    return {cast.assignee} if source in WITH_ASSIGNEE else set()


DEMAND_ACTORS = {Party.WORKER: "worker", Party.REQUESTER: "requester", Party.ASSIGNEE: "assignee"}


@pytest.mark.parametrize(("source", "step", "names"), DEMAND_FLOW.notify_declarations(), ids=lambda v: str(v))
def test_a_demand_step_tells_exactly_its_people(world, cast, source, step, names):  # noqa: F811
    demand = put_in_status(world, cast, source)
    move = DEMAND_FLOW.move(source, step)
    if Party.CLAIMANT in move.parties:
        actor = cast.assignee  # a member of the demand's community claims it
    else:
        actor = getattr(cast, DEMAND_ACTORS[sorted(move.parties - {Party.SYSTEM})[0]])
    Message.objects.all().delete()
    run_step(world, step, actor, demand)
    expected = set().union(*(demand_expected(world, cast, n, source, step) for n in names)) - {actor}
    assert told(f"demands.demand.{step}") == once(*expected), (source, step)


def test_a_late_demand_tells_whoever_holds_it_once_per_lateness(world):
    u = world.users
    now = timezone.now()
    late = demand_rows.demand(
        community=world.c1, status=DemandStatus.SUBMITTED, step_due_at=now - datetime.timedelta(hours=30)
    )
    reminders.scan_all(now)
    reminders.scan_all(now)  # a repeated scan tells no one again
    assert told("demands.demand.remind") == once(u.community_worker, u.community_worker_colleague)
    assert told("demands.demand.escalate") == once(u.community_worker, u.community_worker_colleague)
    assert "超时" in Message.objects.filter(event="demands.demand.remind").first().body
    assert Message.objects.filter(object_key=f"demands.demand:{late.public_id}").count() == 4


def test_a_booking_decision_tells_the_booker_and_a_cancellation_the_centres_workers(world, net):  # noqa: F811
    u = world.users
    day = next_weekday(1)
    booking = bookings.booking_create(
        actor=u.unit_contact, room=net.hall, start=at(day, 9), end=at(day, 10), purpose="议事"
    )
    bookings.booking_transition(actor=u.community_worker, booking=booking, action=BookingStep.APPROVE)
    assert told("centers.booking.approve") == once(u.unit_contact)
    message = Message.objects.get(event="centers.booking.approve")
    assert "多功能厅" in message.title and "批准" in message.title and message.url == booking.get_absolute_url()
    bookings.booking_transition(actor=u.unit_contact, booking=booking, action=BookingStep.CANCEL)
    assert told("centers.booking.cancel") == once(u.community_worker, u.community_worker_colleague)


def test_a_confirmed_registration_tells_the_member(reg_world, submit):  # noqa: F811
    w = reg_world
    reg = submit(w.people.wang)  # 王建国 has the member's account
    registration.registration_confirm(actor=w.users.community_worker, registration=reg)
    assert told("registration.registration.confirm") == once(w.users.member)
    message = Message.objects.get(event="registration.registration.confirm")
    assert message.title == "到「婆石社区」的双报到：确认" and message.url == "/registration/mine/"
    unlinked = submit(w.people.zhang)  # no account: no one to tell, nothing written
    registration.registration_confirm(actor=w.users.community_worker, registration=unlinked)
    assert Message.objects.filter(event="registration.registration.confirm").count() == 1


def test_a_weak_organizations_case_tells_the_admins_above_and_the_community(world, make_case):  # noqa: F811
    u = world.users
    case = make_case(status="rectifying")
    assert told("orgs.weak_case.approve_plan") == once(u.community_worker, u.community_worker_colleague)
    for step in case.steps.all():
        weak.weak_step_done(actor=u.community_worker, step=step, note="已完成")
    weak.weak_case_transition(actor=u.community_worker, case=case, action="apply", note="整改完毕")
    # The district admin who flagged it and the subdistrict's admins; never the worker who applied.
    assert told("orgs.weak_case.apply") == once(u.district_admin, u.subdistrict_admin, u.subdistrict_admin_colleague)
