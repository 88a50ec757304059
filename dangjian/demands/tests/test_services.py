"""Settlement of the demand loop with the time bank and points: hours and points credited once,
escrow held at acceptance, refunded on withdrawal, released to the doer; the system's auto-close."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.demands import services, settlement
from dangjian.demands.models import Demand, DemandLog, DemandPolicy, DemandStatus
from dangjian.demands.tests.test_workflow import accepted, published, submit
from dangjian.demands.workflow import Step
from dangjian.people.models import Member
from dangjian.points.models import PointEntry
from dangjian.timebank import services as bank

S = DemandStatus


@pytest.fixture
def doer(world):
    """The member `dy` with a member record, so points can be awarded."""
    Member.objects.create(name="党员甲", home_community=world.c1, org=world.eb, user=world.users.member)
    return world.users.member


def give_hours(world, user, hours: str) -> None:
    bank.service_deposit(user=user, hours=Decimal(hours), community=world.c1, key=f"seed:{user.pk}", memo="初始")


def done_by(world, doer, demand: Demand, hours: str = "2") -> Demand:
    demand = services.demand_claim(actor=doer, demand=demand)
    return services.demand_done(actor=doer, demand=demand, note="陪同就医", hours=hours)


def rules_of(user) -> dict[str, Decimal]:
    entries = PointEntry.objects.filter(member__user=user).select_related("rule")
    return {e.rule.code: e.quantity for e in entries}


def test_it_credits_recorded_hours_and_points_once_when_rated(world, doer):
    demand = done_by(world, doer, published(world))
    demand = services.demand_rate(actor=world.users.resident, demand=demand, rating=5, note="感谢")
    assert bank.balance(doer) == Decimal("2.0")
    assert rules_of(doer) == {"demand_done": 1, "service_hour": Decimal("2"), "good_rating": 1}
    entries = PointEntry.objects.count()
    settlement.settle(demand)  # a retried settlement
    settlement.settle(Demand.objects.get(pk=demand.pk), actor=world.users.community_worker)
    assert bank.balance(doer) == Decimal("2.0")
    assert PointEntry.objects.count() == entries


def test_it_gives_no_good_rating_points_below_the_policy(world, doer):
    DemandPolicy.objects.create(district=world.district, good_rating=5)
    demand = done_by(world, doer, published(world), hours="1")
    services.demand_rate(actor=world.users.resident, demand=demand, rating=4)
    assert set(rules_of(doer)) == {"demand_done", "service_hour"}
    assert bank.balance(doer) == Decimal("1.0")


def test_it_holds_paid_hours_at_acceptance_and_releases_them_to_the_doer(world, doer):
    u = world.users
    give_hours(world, u.resident, "5")
    demand = submit(world, bank_hours="3")
    assert bank.balance(u.resident) == Decimal("5.0")  # nothing held before the community accepts
    demand = services.demand_accept(actor=u.community_worker, demand=demand)
    assert bank.balance(u.resident) == Decimal("2.0")
    demand = services.demand_publish(actor=u.community_worker, demand=demand)
    demand = done_by(world, doer, demand, hours="1.5")
    services.demand_rate(actor=u.resident, demand=demand, rating=3)
    assert bank.balance(doer) == Decimal("3.0")  # the paid hours, not minted ones
    assert bank.balance(u.resident) == Decimal("2.0")
    assert rules_of(doer)["service_hour"] == Decimal("1.5")


def test_it_refunds_held_hours_when_withdrawn_after_acceptance(world):
    u = world.users
    give_hours(world, u.resident, "5")
    demand = accepted(world, bank_hours="2")
    assert bank.balance(u.resident) == Decimal("3.0")
    services.demand_withdraw(actor=u.resident, demand=demand, note="已自行解决")
    assert bank.balance(u.resident) == Decimal("5.0")
    declined = services.demand_decline(actor=u.community_worker, demand=submit(world, bank_hours="2"), reason="重复")
    assert declined.status == S.DECLINED and bank.balance(u.resident) == Decimal("5.0")


def test_it_refuses_acceptance_with_the_time_banks_message_when_the_balance_is_short(world):
    u = world.users
    give_hours(world, u.resident, "4")
    first, second = submit(world, bank_hours="3"), submit(world, title="代买菜", bank_hours="3")
    services.demand_accept(actor=u.community_worker, demand=first)
    with pytest.raises(ValidationError) as exc:
        services.demand_accept(actor=u.community_worker, demand=second)
    assert "不足" in " ".join(exc.value.messages) or "余额" in " ".join(exc.value.messages)
    second = Demand.objects.get(pk=second.pk)
    assert second.status == S.SUBMITTED and second.version == 1
    assert not DemandLog.objects.filter(demand=second, step=Step.ACCEPT).exists()


def test_it_closes_unrated_demands_after_the_policy_days_and_settles_them(world, doer):
    DemandPolicy.objects.create(district=world.district, auto_close_after_days=3)
    old = done_by(world, doer, published(world))
    new = done_by(world, doer, published(world, title="修水管"), hours="1")
    Demand.objects.filter(pk=old.pk).update(done_at=timezone.now() - datetime.timedelta(days=4))
    assert services.close_unrated() == 1
    assert Demand.objects.get(pk=old.pk).status == S.CLOSED
    assert Demand.objects.get(pk=new.pk).status == S.DONE
    log = DemandLog.objects.get(demand=old, step=Step.CLOSE)
    assert log.actor is None and log.actor_label == "系统"
    assert bank.balance(doer) == Decimal("2.0")
    assert "good_rating" not in rules_of(doer)
    assert services.close_unrated() == 0  # nothing more to do


def test_it_lets_a_worker_close_a_done_demand(world, doer):
    demand = done_by(world, doer, published(world))
    demand = services.demand_close(actor=world.users.community_worker, demand=demand, note="居民电话确认满意")
    assert demand.status == S.CLOSED and bank.balance(doer) == Decimal("2.0")
