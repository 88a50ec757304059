"""The ledger's services: balanced journals, idempotent keys, refusals, append-only rows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum

from dangjian.audit.models import AuditEvent
from dangjian.timebank import services
from dangjian.timebank.models import Account, AccountKind, Entry, Journal, JournalKind
from dangjian.timebank.selectors import community_balances

D = Decimal


def deposit(world, user, hours, key):
    return services.service_deposit(user=user, hours=hours, community=world.c1, key=key, memo="服务")


def test_it_mints_a_deposit_from_the_issuance_account(world):
    u = world.users
    journal = deposit(world, u.member, "2.5", "d1")
    assert journal.kind == JournalKind.DEPOSIT
    assert services.balance(u.member) == D("2.5")
    assert community_balances(world.c1)[AccountKind.ISSUANCE] == D("-2.5")
    assert sum(e.amount for e in journal.entries.all()) == 0
    assert AuditEvent.objects.filter(object_id=str(journal.public_id)).count() == 1


def test_it_writes_nothing_for_a_retried_key(world):
    u = world.users
    first = deposit(world, u.member, 2, "same")
    again = deposit(world, u.member, 2, "same")
    assert again.pk == first.pk
    assert Journal.objects.count() == 1 and Entry.objects.count() == 2
    assert services.balance(u.member) == D("2.0")


def test_it_refuses_a_key_used_for_another_kind(world):
    u = world.users
    deposit(world, u.member, 2, "k")
    with pytest.raises(ValidationError, match="另一类记账"):
        services.donate_to_pool(user=u.member, community=world.c1, hours=1, key="k")


def test_it_refuses_bad_hours(world):
    u = world.users
    for bad in ("0", "-1", "1.25", "abc", "100000"):
        with pytest.raises(ValidationError):
            deposit(world, u.member, bad, f"bad-{bad}")
    assert Journal.objects.count() == 0


def test_it_holds_and_releases_escrow_to_the_doer(world):
    u = world.users
    deposit(world, u.resident, 3, "d")
    services.escrow_hold(user=u.resident, hours=2, community=world.c1, key="h", memo="点单")
    assert services.balance(u.resident) == D("1.0")
    assert community_balances(world.c1)[AccountKind.ESCROW] == D("2.0")
    services.escrow_release(hold_key="h", to_user=u.member, key="r", memo="完成")
    assert services.balance(u.member) == D("2.0")
    assert community_balances(world.c1)[AccountKind.ESCROW] == D("0.0")
    # Settled once: a refund afterwards is refused, a retried release writes nothing.
    with pytest.raises(ValidationError, match="已结清"):
        services.escrow_refund(hold_key="h", key="f", memo="退回")
    assert services.escrow_release(hold_key="h", to_user=u.member, key="r", memo="完成").kind == JournalKind.RELEASE
    assert Journal.objects.filter(kind=JournalKind.RELEASE).count() == 1


def test_it_refunds_a_hold_to_the_requester(world):
    u = world.users
    deposit(world, u.resident, 3, "d")
    services.escrow_hold(user=u.resident, hours=3, community=world.c1, key="h", memo="点单")
    assert services.balance(u.resident) == D("0.0")
    services.escrow_refund(hold_key="h", key="f", memo="已撤回")
    assert services.balance(u.resident) == D("3.0")


def test_it_refuses_a_hold_beyond_the_balance(world):
    u = world.users
    deposit(world, u.resident, 1, "d")
    with pytest.raises(ValidationError, match="余额不足"):
        services.escrow_hold(user=u.resident, hours="1.1", community=world.c1, key="h", memo="点单")
    with pytest.raises(ValidationError, match="找不到该托管"):
        services.escrow_release(hold_key="h", to_user=u.member, key="r", memo="")
    assert services.balance(u.resident) == D("1.0")


def test_it_transfers_between_people_and_refuses_an_overdraft(world):
    u = world.users
    deposit(world, u.member, 2, "d")
    services.transfer(from_user=u.member, to_user=u.resident, hours="1.5", key="t", memo="谢谢", actor=u.member)
    assert services.balance(u.member) == D("0.5")
    assert services.balance(u.resident) == D("1.5")
    with pytest.raises(ValidationError, match="余额不足"):
        services.transfer(from_user=u.member, to_user=u.resident, hours=1, key="t2", memo="", actor=u.member)
    with pytest.raises(ValidationError, match="不能转给自己"):
        services.transfer(from_user=u.member, to_user=u.member, hours="0.1", key="t3", memo="", actor=u.member)


def test_it_donates_to_the_pool_and_a_worker_grants_from_it(world):
    u = world.users
    deposit(world, u.member, 4, "d")
    services.donate_to_pool(user=u.member, community=world.c1, hours=3, key="p", actor=u.member)
    services.pool_grant(
        community=world.c1, to_user=u.resident, hours=2, key="g", memo="困难户", actor=u.community_worker
    )
    assert community_balances(world.c1)[AccountKind.POOL] == D("1.0")
    assert services.balance(u.resident) == D("2.0")
    with pytest.raises(ValidationError, match="互助池时数不足"):
        services.pool_grant(
            community=world.c1, to_user=u.resident, hours=2, key="g2", memo="再发", actor=u.community_worker
        )
    with pytest.raises(ValidationError, match="本社区的工作人员"):
        services.pool_grant(
            community=world.c1, to_user=u.resident, hours=1, key="g3", memo="越权", actor=u.community_worker_outsider
        )


def test_it_corrects_by_a_reversing_journal_once(world):
    u = world.users
    original = deposit(world, u.member, 2, "d")
    with pytest.raises(ValidationError, match="冲正原因"):
        services.correct(journal=original, reason=" ", actor=u.community_worker)
    fix = services.correct(journal=original, reason="重复登记", actor=u.community_worker)
    assert fix.kind == JournalKind.CORRECTION and fix.reverses_id == original.pk
    assert services.balance(u.member) == D("0.0")
    assert community_balances(world.c1)[AccountKind.ISSUANCE] == D("0.0")
    # Reversed at most once; the correction itself is not reversed again.
    assert services.correct(journal=original, reason="再次", actor=u.community_worker).pk == fix.pk
    with pytest.raises(ValidationError, match="已冲正过"):
        services.correct(journal=original, reason="再次", actor=u.community_worker, key="other")
    with pytest.raises(ValidationError, match="不能冲正"):
        services.correct(journal=fix, reason="反冲", actor=u.community_worker)


def test_it_refuses_a_correction_that_would_make_a_person_negative(world):
    u = world.users
    original = deposit(world, u.member, 2, "d")
    services.transfer(from_user=u.member, to_user=u.resident, hours=2, key="t", memo="", actor=u.member)
    with pytest.raises(ValidationError, match="负数"):
        services.correct(journal=original, reason="错误", actor=u.community_worker)
    with pytest.raises(ValidationError, match="本社区的工作人员"):
        services.correct(journal=original, reason="错误", actor=u.community_worker_outsider)


def test_it_refuses_to_edit_or_delete_ledger_rows(world):
    u = world.users
    journal = deposit(world, u.member, 2, "d")
    entry = journal.entries.first()
    entry.amount = D("9")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        journal.delete()
    with pytest.raises(ValidationError):
        Entry.objects.filter(pk=entry.pk).update(amount=9)
    with pytest.raises(ValidationError):
        Journal.objects.all().delete()
    assert services.balance(u.member) == D("2.0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL")
def test_it_has_the_database_refuse_a_raw_update(world):
    u = world.users
    deposit(world, u.member, 2, "d")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE timebank_entry SET amount = 9")
    assert services.balance(u.member) == D("2.0")


def test_it_keeps_one_account_per_person_and_per_community_kind(world):
    u = world.users
    deposit(world, u.member, 1, "a")
    deposit(world, u.member, 1, "b")
    services.service_deposit(user=u.member, hours=1, community=world.c3, key="c", memo="")
    assert Account.objects.filter(kind=AccountKind.PERSON, owner=u.member).count() == 1
    assert Account.objects.filter(kind=AccountKind.ISSUANCE).count() == 2
    assert Entry.objects.aggregate(t=Sum("amount"))["t"] == 0
