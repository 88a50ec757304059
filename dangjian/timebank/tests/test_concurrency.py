"""Two spends at the same moment that together exceed the balance: exactly one stands.

Real threads, real connections: on PostgreSQL the second waits on the person's account row lock and
then sees the first spend; on SQLite the IMMEDIATE transactions serialize the writers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.testing import run_at_once
from dangjian.timebank import services
from dangjian.timebank.models import Journal

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_lets_only_one_of_two_overdrawing_spends_through(world):
    u = world.users
    services.service_deposit(user=u.resident, hours=3, community=world.c1, key="d", memo="")
    results = run_at_once(
        lambda: services.transfer(from_user=u.resident, to_user=u.member, hours=2, key="t", memo="", actor=u.resident),
        lambda: services.escrow_hold(user=u.resident, hours=2, community=world.c1, key="h", memo="点单"),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "余额不足" in " ".join(error.messages)
    assert services.balance(u.resident) == Decimal("1.0")


def test_it_writes_one_journal_for_one_key_sent_twice_at_once(world):
    u = world.users
    services.service_deposit(user=u.resident, hours=3, community=world.c1, key="d", memo="")
    results = run_at_once(
        lambda: services.transfer(from_user=u.resident, to_user=u.member, hours=2, key="t", memo="", actor=u.resident),
        lambda: services.transfer(from_user=u.resident, to_user=u.member, hours=2, key="t", memo="", actor=u.resident),
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert results[0][1].pk == results[1][1].pk
    assert Journal.objects.filter(key="t").count() == 1
    assert services.balance(u.member) == Decimal("2.0")
