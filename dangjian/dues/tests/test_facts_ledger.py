"""The figures store follows every write of dues (no drift against a recomputation from raw rows), and
the ledger's balances always equal payments minus remittances (a property test over random sequences),
and two people paying the same month at once are serialized by the row lock."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.figures import facts as store
from dangjian.core.periods import Period
from dangjian.core.testing import integrity_findings as found
from dangjian.dues import rules, selectors, services
from dangjian.dues.facts import DUE, PAID
from dangjian.dues.integrity import expected_balances
from dangjian.dues.models import Account, DuesMonth, PayCategory, Payment

from .conftest import MONTH, set_base

D = Decimal


def _no_drift():
    for subject in (DUE, PAID):
        have = store.stored(subject, None, None)
        want = store.recompute(subject).facts
        assert store.differences(subject, have, want) == [], subject.name


def test_the_store_follows_charges_payments_and_adjustments(dues_world):
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    set_base(w.other, pay="12000", month=MONTH)
    set_base(w.retired, pay="3000", category=PayCategory.RETIRED, month=MONTH)
    services.dues_run(month=MONTH)
    services.dues_run(month=rules.add_months(MONTH, 1))
    march = DuesMonth.objects.get(member=w.paying, month=MONTH)
    services.payment_record(actor=None, dues=march, amount="40", extra="10", key="f1")
    set_base(w.paying, pay="6000", month=MONTH)  # an adjustment into April
    _no_drift()
    period = Period("custom", MONTH, rules.add_months(MONTH, 2))
    figures = selectors.branch_figures(w.eb, period)
    rows = DuesMonth.objects.filter(org=w.eb)
    assert figures.members == rows.count() == 6
    assert figures.due == sum((max(D(0), d.owed) for d in rows), D(0))
    assert figures.paid == D("40.00") and figures.extra == D("10.00")
    assert figures.arrears == figures.due - D("40.00")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["pay", "remit_branch", "remit_committee"]), st.integers(1, 6000)),
        min_size=1,
        max_size=12,
    )
)
def test_ledger_balances_equal_payments_minus_remittances(dues_world, steps):
    w = dues_world
    set_base(w.other, pay="20000", month=MONTH)
    committee = w.eb.parent
    for i, (what, cents) in enumerate(steps):
        amount = D(cents) / 100
        if what == "pay":
            dues = services.charge(member=w.other, month=rules.add_months(MONTH, i))
            services.payment_record(actor=None, dues=dues, amount=min(amount, dues.outstanding), extra="1", key=f"h{i}")
        else:
            org = w.eb if what == "remit_branch" else committee
            if services.held_balance(org) >= amount:
                services.remit(actor=None, org=org, amount=amount, key=f"r{i}")
    want = expected_balances()
    for account in Account.objects.all():
        assert account.balance == want.get((account.org_id, account.kind), D(0))
    assert found("dues") == {}
    total_paid = sum((p.amount + p.extra for p in Payment.objects.all()), D(0))
    held = sum((a.balance for a in Account.objects.filter(kind="held")), D(0))
    assert held == total_paid  # remittances only move money between held accounts


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_month_at_once_are_serialized(dues_world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers itself; the row lock is exercised on PostgreSQL")
    w = dues_world
    set_base(w.other, pay="4000", month=MONTH)
    dues = services.charge(member=w.other, month=MONTH)
    results: list[str] = []

    def pay(actor, key):
        try:
            services.payment_record(actor=actor, dues=dues, amount="40", key=key)
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the loser's refusal is the point
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(None, f"race-{i}")) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ValidationError", "ok"]
    dues.refresh_from_db()
    assert dues.paid == D("40.00") and Payment.objects.filter(dues=dues).count() == 1
