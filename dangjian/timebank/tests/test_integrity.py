"""The time bank's integrity checks (timebank/integrity.py): each planted ledger defect is found."""

from __future__ import annotations

import uuid
from decimal import Decimal

from dangjian.core.testing import integrity_findings as found
from dangjian.territory.models import Area
from dangjian.timebank.models import AccountKind, Entry, Journal, JournalKind
from dangjian.timebank.services import community_account, person_account


def post(kind: str, community, lines) -> Journal:
    """A journal written around the services (which would refuse it)."""
    journal = Journal.objects.create(key=f"test:{uuid.uuid4()}", kind=kind, community=community)
    for account, amount in lines:
        Entry.objects.create(journal=journal, account=account, amount=Decimal(amount))
    return journal


def test_ledger_defects_are_found(demo, django_user_model):
    assert found("timebank") == {}
    community = Area.objects.filter(level="community").order_by("path").first()
    escrow = community_account(community, AccountKind.ESCROW)
    issuance = community_account(community, AccountKind.ISSUANCE)
    pool = community_account(community, AccountKind.POOL)
    person = person_account(django_user_model.objects.create_user(username="integrity-tb", password="x" * 12))

    # One side of a journal lost (or an extra entry appended): it no longer sums to zero.
    unbalanced = post(JournalKind.DEPOSIT, community, [(person, "2.5")])
    # A person's account below zero; the issuance account above zero.
    overdrawn = post(JournalKind.POOL, community, [(pool, "-1000000"), (issuance, "1000000")])
    # Hours in escrow that no hold put there.
    post(JournalKind.POOL, community, [(escrow, "3"), (person, "-3")])

    assert found("timebank.journals") == {"unbalanced_journal": {unbalanced.pk}}
    balances = found("timebank.balances")
    assert {pool.pk, person.pk} <= balances["negative_balance"]
    assert balances["positive_issuance"] == {issuance.pk}
    assert found("timebank.escrow") == {"escrow_mismatch": {escrow.pk}}
    assert overdrawn.pk


def test_a_settlement_that_does_not_match_its_hold_is_found(world):
    community = world.c1
    escrow = community_account(community, AccountKind.ESCROW)
    person = person_account(world.users.member)
    issuance = community_account(community, AccountKind.ISSUANCE)
    post(JournalKind.DEPOSIT, community, [(person, "5"), (issuance, "-5")])
    hold = post(JournalKind.HOLD, community, [(person, "-4"), (escrow, "4")])
    assert found("timebank") == {}
    release = Journal.objects.create(key="test:release", kind=JournalKind.RELEASE, community=community, settles=hold)
    Entry.objects.create(journal=release, account=escrow, amount=Decimal("-3"))
    Entry.objects.create(journal=release, account=person, amount=Decimal("3"))
    assert found("timebank.escrow") == {"escrow_mismatch": {escrow.pk}, "settlement_mismatch": {release.pk}}
