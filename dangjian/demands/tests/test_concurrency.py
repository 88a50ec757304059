"""Two people act on one demand at the same moment: exactly one step stands, the other is told who won.

Real threads, real connections: on PostgreSQL the row lock makes the second wait and then read the
first one's change; on SQLite the IMMEDIATE transactions serialize the writers the same way."""

from decimal import Decimal

import pytest

from dangjian.core.testing import run_at_once
from dangjian.core.workflow import StaleObject, TransitionRefused
from dangjian.demands import services
from dangjian.demands.models import Demand, DemandLog, DemandStatus
from dangjian.demands.tests.test_workflow import published
from dangjian.demands.workflow import Step
from dangjian.people.models import Member
from dangjian.points.models import PointEntry
from dangjian.timebank import services as bank

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_a_published_demand_to_exactly_one_of_two_claimants(world):
    u = world.users
    demand = published(world)
    read = demand.version  # both boards were rendered at this version
    results = run_at_once(
        lambda: services.demand_claim(actor=u.member, demand=demand, version=read),
        lambda: services.demand_claim(actor=u.unit_contact, demand=demand, version=read),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    winner = "dy" if results[0][0] == "ok" else "dw"
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, TransitionRefused)
    assert f"已由 {winner} 认领" in " ".join(error.messages)
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.status == DemandStatus.TAKEN
    assert demand.assignee_kind == ("member" if winner == "dy" else "unit")
    assert DemandLog.objects.filter(demand=demand, step=Step.CLAIM).count() == 1
    assert demand.version == read + 1


def test_it_lets_one_of_a_reassignment_and_a_done_record_at_once_stand(world):
    u = world.users
    demand = services.demand_claim(actor=u.member, demand=published(world))
    read = demand.version  # the worker's page and the member's phone show this version
    results = run_at_once(
        lambda: services.demand_dispatch(
            actor=u.community_worker, demand=demand, kind="unit", unit=world.unit, version=read
        ),
        lambda: services.demand_done(actor=u.member, demand=demand, note="已陪同就医", hours="2", version=read),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, StaleObject)
    demand = Demand.objects.get(pk=demand.pk)
    steps = list(DemandLog.objects.filter(demand=demand).values_list("step", flat=True))
    if results[0][0] == "ok":  # the reassignment won: the member is told the worker changed it
        assert demand.status == DemandStatus.DISPATCHED and demand.assigned_unit == world.unit
        assert "sq1" in error.messages[0] and "派单" in error.messages[0]
        assert Step.DONE not in steps and demand.hours is None
    else:
        assert demand.status == DemandStatus.DONE and demand.hours == Decimal("2.0")
        assert "dy" in error.messages[0] and "完成登记" in error.messages[0]
        assert steps.count(Step.DISPATCH) == 0
    assert demand.version == read + 1


def test_it_settles_once_when_a_rating_and_the_auto_close_race(world):
    u = world.users
    Member.objects.create(name="党员甲", home_community=world.c1, org=world.eb, user=u.member)
    demand = services.demand_claim(actor=u.member, demand=published(world))
    demand = services.demand_done(actor=u.member, demand=demand, note="已办", hours="2")
    read = demand.version
    results = run_at_once(
        lambda: services.demand_rate(actor=u.resident, demand=demand, rating=5, version=read),
        lambda: services.demand_close(actor=None, demand=demand, version=read),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert bank.balance(u.member) == Decimal("2.0")
    assert PointEntry.objects.filter(member__user=u.member, rule__code="demand_done").count() == 1
