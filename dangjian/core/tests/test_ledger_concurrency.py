"""Posts at the same moment through the ledger engine keep every balance right.

Real threads, real connections (core.testing.run_at_once): on PostgreSQL each post waits on the row
locks of its accounts, taken in primary-key order, so opposite transfers do not deadlock and a spend
sees the spends before it; on SQLite the IMMEDIATE transactions serialize the writers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from dangjian.core import ledger
from dangjian.core.testing import integrity_findings as found
from dangjian.core.testing import run_at_once
from dangjian.timebank.models import LEDGER, Entry, Journal, JournalKind
from dangjian.timebank.services import community_account, person_account

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def transfer(src, dst, hours: str, key: str):
    return lambda: ledger.post(
        LEDGER, kind=JournalKind.TRANSFER, key=key, lines=[(src, -D(hours)), (dst, D(hours))], memo="并发"
    )


def fund(account, issuance, hours: str, key: str):
    ledger.post(LEDGER, kind=JournalKind.DEPOSIT, key=key, lines=[(issuance, -D(hours)), (account, D(hours))])


def entries_sum(account) -> Decimal:
    return (Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or D(0)).quantize(D("0.1"))


@pytest.fixture
def people(world):
    u = world.users
    issuance = community_account(world.c1, "issuance")
    a, b, c = (person_account(x) for x in (u.member, u.resident, u.unit_contact))
    return issuance, a, b, c


def test_spends_at_once_never_take_an_account_below_its_floor(people):
    issuance, a, b, c = people
    fund(a, issuance, "3.0", "fund")
    results = run_at_once(*(transfer(a, b if i % 2 else c, "1.0", f"spend-{i}") for i in range(5)))
    kinds = [kind for kind, _value in results]
    assert kinds.count("ok") == 3 and kinds.count("error") == 2, results
    assert all(isinstance(v, ValidationError) for kind, v in results if kind == "error")
    assert ledger.balance(LEDGER, a) == 0
    assert ledger.balance(LEDGER, b) + ledger.balance(LEDGER, c) == D("3.0")
    for account in people:
        assert ledger.balance(LEDGER, account) == entries_sum(account)
    assert found("timebank") == {}


def test_opposite_transfers_at_once_both_stand(people):
    issuance, a, b, _c = people
    # Each side holds what it sends in all (a 3, b 6), so every order the locks allow stands: the point is
    # that crossing transfers neither deadlock nor lose a write, not which one lands first.
    fund(a, issuance, "5.0", "fund-a")
    fund(b, issuance, "6.0", "fund-b")
    jobs = [transfer(a, b, "1.0", f"ab-{i}") for i in range(3)] + [transfer(b, a, "2.0", f"ba-{i}") for i in range(3)]
    results = run_at_once(*jobs)
    assert [kind for kind, _value in results] == ["ok"] * 6, results
    assert ledger.balance(LEDGER, a) == D("8.0") and ledger.balance(LEDGER, b) == D("3.0")
    assert ledger.balance(LEDGER, a) == entries_sum(a) and ledger.balance(LEDGER, b) == entries_sum(b)


def test_one_key_sent_at_once_writes_one_journal(people):
    issuance, a, b, _c = people
    fund(a, issuance, "5.0", "fund")
    results = run_at_once(*(transfer(a, b, "2.0", "once") for _ in range(4)))
    assert [kind for kind, _value in results] == ["ok"] * 4, results
    assert len({value.pk for _kind, value in results}) == 1
    assert Journal.objects.filter(key="once").count() == 1
    assert ledger.balance(LEDGER, b) == D("2.0") == entries_sum(b)
