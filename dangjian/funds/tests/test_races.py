"""Races decided in the database: two commitments on the last yuan, two retries of one payment, two
refunds of one payment. Threads on both databases."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangjian.funds.models import Journal, JournalKind
from dangjian.funds.selectors import available, commitment_summary
from dangjian.funds.services import commit_funds, pay_commitment, refund_payment

from .conftest import YEAR


def race(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_commitments_on_the_last_yuan(funded):
    commit_funds(
        actor=None,
        holder="h0",
        community=funded.c1,
        kind="micro",
        year=YEAR,
        amount=Decimal("99999"),
        memo="",
        key="k0",
    )

    def commit(n):
        return lambda: commit_funds(
            actor=None, holder=f"h{n}", community=funded.c1, kind="micro", year=YEAR, amount=1, memo="", key=f"k{n}"
        )

    results, errors = race([commit(1), commit(2)])
    assert len(results) == 1 and len(errors) == 1
    assert "可用余额不足" in str(errors[0])
    assert available(funded.c1, "micro", YEAR) == 0
    assert Journal.objects.filter(kind=JournalKind.COMMITMENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_payment_retried_at_once_is_written_once(funded):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=500, memo="", key="k")

    def pay():
        return pay_commitment(actor=None, holder="h", amount=300, payee="x", memo="", key="pay-once")

    results, errors = race([pay, pay, pay])
    assert not errors
    assert len({j.pk for j in results}) == 1
    assert commitment_summary("h").paid == Decimal("300.00")


@pytest.mark.django_db(transaction=True)
def test_two_refunds_of_one_payment_never_exceed_it(funded):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=500, memo="", key="k")
    payment = pay_commitment(actor=None, holder="h", amount=300, payee="x", memo="", key="p")

    def refund(n):
        return lambda: refund_payment(actor=None, holder="h", payment=payment, amount=200, memo="", key=f"r{n}")

    results, errors = race([refund(1), refund(2)])
    assert len(results) == 1 and len(errors) == 1
    assert commitment_summary("h").refunded == Decimal("200.00")
