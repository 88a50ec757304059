"""The allocation workflow, generated from FLOW: every (status, step, party). The approver party is a
district administrator who did not enter the allocation; the enterer, a subdistrict administrator and
a community worker are refused in every state."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.workflow import check_declaration
from dangjian.funds.models import AllocationLog, AllocationStatus, Journal, JournalKind
from dangjian.funds.services.allocations import allocation_approve, allocation_enter, allocation_reject
from dangjian.funds.workflow import FLOW, Step
from dangjian.notifications.models import Message

from .conftest import YEAR

pytestmark = pytest.mark.django_db
S = AllocationStatus


def take(step, actor, allocation):
    if step == Step.APPROVE:
        return allocation_approve(actor=actor, allocation=allocation)
    return allocation_reject(actor=actor, allocation=allocation, note="金额有误")


def in_status(world, approver, status):
    allocation = allocation_enter(actor=world.users.district_admin, area=world.c1, kind="micro", year=YEAR, amount=500)
    if status == S.APPROVED:
        allocation_approve(actor=approver, allocation=allocation)
    elif status == S.REJECTED:
        allocation_reject(actor=approver, allocation=allocation, note="不需要")
    allocation.refresh_from_db()
    assert allocation.status == status
    return allocation


def test_the_declaration_is_complete():
    assert check_declaration(FLOW) == []


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(Step))
def test_the_approver_follows_the_transition_table(world, second_admin, status, step):
    allocation = in_status(world, second_admin, status)
    logs = AllocationLog.objects.filter(allocation=allocation).count()
    journals = Journal.objects.count()
    target = FLOW.target(status, step)
    if target is None:
        with pytest.raises(ValidationError):
            take(step, second_admin, allocation)
        assert AllocationLog.objects.filter(allocation=allocation).count() == logs
        assert Journal.objects.count() == journals
        return
    result = take(step, second_admin, allocation)
    assert result.status == target and result.approver == second_admin
    log = AllocationLog.objects.filter(allocation=allocation).order_by("-pk").first()
    assert (log.from_status, log.to_status, log.actor) == (status, target, second_admin)
    posted = Journal.objects.filter(kind=JournalKind.ALLOCATION).count()
    assert posted == (1 if target == S.APPROVED else 0)
    # The one who entered it is told, once, in the step's transaction; nobody else is.
    assert FLOW.notify_names(step, status) == ("enterer",)
    assert Message.objects.filter(recipient=world.users.district_admin).count() == 1
    assert Message.objects.exclude(recipient=world.users.district_admin).count() == 0


@pytest.mark.parametrize("who", ["district_admin", "subdistrict_admin", "community_worker", "nobody"])
def test_no_other_party_takes_a_step(world, second_admin, who):
    allocation = in_status(world, second_admin, S.PENDING)
    for step in Step:
        with pytest.raises(ValidationError):
            take(step, getattr(world.users, who), allocation)
    allocation.refresh_from_db()
    assert allocation.status == S.PENDING and not Journal.objects.exists()
