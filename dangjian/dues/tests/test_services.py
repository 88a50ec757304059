"""Charging, pay changes (adjusted, never rewritten), payments, remittances and the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.audit.models import AuditEvent
from dangjian.core.testing import integrity_findings as found
from dangjian.dues import rules, services
from dangjian.dues.models import AccountKind, DuesAdjustment, DuesMonth, PayCategory, Payment

from .conftest import MONTH, set_base

D = Decimal


def test_the_monthly_run_charges_members_with_a_base_and_counts_the_rest(dues_world):
    set_base(dues_world.paying, pay="4000", month=MONTH)
    set_base(dues_world.retired, pay="5000", category=PayCategory.RETIRED, month=MONTH)
    result = services.dues_run(month=MONTH)
    assert result["charged"] == 2
    assert result["without_base"] == 3  # 李强, 支委甲 and 陈刚 have none yet
    assert DuesMonth.objects.get(member=dues_world.paying, month=MONTH).amount_due == D("40.00")
    assert DuesMonth.objects.get(member=dues_world.retired, month=MONTH).amount_due == D("25.00")
    again = services.dues_run(month=MONTH)
    assert again["charged"] == 0 and again["already"] == 2


def test_a_pay_change_recomputes_unpaid_months_and_adjusts_paid_ones(dues_world):
    m = dues_world.paying
    months = [rules.add_months(MONTH, i) for i in range(4)]  # March..June
    set_base(m, pay="4000", month=MONTH)
    for month in months:
        services.charge(member=m, month=month)
    march, april, may, june = (DuesMonth.objects.get(member=m, month=x) for x in months)
    services.payment_record(actor=None, dues=march, amount="40", key="p1")
    services.payment_record(actor=None, dues=april, amount="40", key="p2")
    # A raise from March: 6000 → 1.5 % = 90 a month.
    set_base(m, pay="6000", month=MONTH)
    march.refresh_from_db()
    april.refresh_from_db()
    may.refresh_from_db()
    june.refresh_from_db()
    assert march.amount_due == D("40.00") and april.amount_due == D("40.00")  # paid: not rewritten
    assert may.amount_due == D("90.00") and june.amount_due == D("90.00")  # unpaid: recomputed
    # March's and April's differences (50 each) are carried into May, the first month with nothing paid.
    assert may.adjustment == D("100.00")
    assert sorted(DuesAdjustment.objects.filter(member=m).values_list("for_month", "amount")) == [
        (months[0], D("50.00")),
        (months[1], D("50.00")),
    ]
    # Setting the same base again adds nothing more.
    set_base(m, pay="6000", month=MONTH)
    may.refresh_from_db()
    assert may.adjustment == D("100.00")


def test_a_pay_cut_after_everything_is_paid_carries_into_a_new_month(dues_world):
    m = dues_world.paying
    set_base(m, pay="6000", month=MONTH)
    march = services.charge(member=m, month=MONTH)
    services.payment_record(actor=None, dues=march, amount="90", key="p1")
    set_base(m, pay="3000", month=MONTH)  # 0.5 % = 15: 75 too much was paid
    april = DuesMonth.objects.get(member=m, month=rules.add_months(MONTH, 1))
    assert april.adjustment == D("-75.00")
    assert april.outstanding == 0 and april.settled


def test_a_payment_above_what_is_outstanding_is_refused_but_extra_is_welcome(dues_world):
    set_base(dues_world.paying, pay="4000", month=MONTH)
    dues = services.charge(member=dues_world.paying, month=MONTH)
    with pytest.raises(ValidationError):
        services.payment_record(actor=None, dues=dues, amount="41", key="k1")
    services.payment_record(actor=None, dues=dues, amount="40", extra="100", key="k2")
    dues.refresh_from_db()
    assert dues.settled and dues.extra == D("100.00")
    with pytest.raises(ValidationError):
        services.payment_record(actor=None, dues=dues, amount="1", key="k3")


def test_a_retried_payment_writes_nothing_twice(dues_world):
    set_base(dues_world.paying, pay="4000", month=MONTH)
    dues = services.charge(member=dues_world.paying, month=MONTH)
    first = services.payment_record(actor=None, dues=dues, amount="20", key="same")
    second = services.payment_record(actor=None, dues=dues, amount="20", key="same")
    assert first.pk == second.pk
    dues.refresh_from_db()
    assert dues.paid == D("20.00")


def test_the_member_pays_their_own_months_and_others_may_not(dues_world):
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    set_base(w.other, pay="4000", month=MONTH)
    for month in (MONTH, rules.add_months(MONTH, 1)):
        services.charge(member=w.paying, month=month)
    own = services.pay_outstanding(actor=w.world.users.member, member=w.paying, extra="5", key="x")
    assert [p.amount for p in own] == [D("40.00"), D("40.00")]
    assert own[-1].extra == D("5.00") and own[0].recorded_as == Payment.RecordedAs.MEMBER
    other = services.charge(member=w.other, month=MONTH)
    with pytest.raises(ValidationError):
        services.payment_record(actor=w.world.users.member, dues=other, amount="40", key="y")
    # The branch's officer records it; an officer of another branch may not.
    with pytest.raises(ValidationError):
        services.payment_record(actor=w.officer3, dues=other, amount="40", key="z")
    payment = services.payment_record(actor=w.officer, dues=other, amount="40", key="z", channel="cash")
    assert payment.recorded_as == Payment.RecordedAs.BRANCH


def test_remittance_moves_what_is_held_up_the_tree_and_never_more(dues_world):
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    dues = services.charge(member=w.paying, month=MONTH)
    services.payment_record(actor=None, dues=dues, amount="40", key="p")
    assert services.held_balance(w.eb) == D("40.00")
    with pytest.raises(ValidationError):
        services.remit(actor=w.officer, org=w.eb, amount="40.01", key="r0")
    with pytest.raises(ValidationError):
        services.remit(actor=w.officer3, org=w.eb, amount="10", key="r1")
    services.remit(actor=w.officer, org=w.eb, amount="30", key="r2")
    parent = w.eb.parent
    assert services.held_balance(w.eb) == D("10.00")
    assert services.held_balance(parent) == D("30.00")
    # The community committee passes it on (a worker of the community acts for it).
    services.remit(actor=w.world.users.community_worker, org=parent, amount="30", key="r3")
    assert services.held_balance(parent.parent) == D("30.00")
    assert found("dues") == {}


def test_the_pay_is_revealed_with_an_audit_row(dues_world):
    base = set_base(dues_world.paying, pay="4321", month=MONTH)
    assert services.pay_reveal(actor=dues_world.officer, base=base) == D("4321.00")
    assert AuditEvent.objects.filter(action="reveal", object_id=str(base.public_id)).exists()
    with pytest.raises(ValidationError):
        services.pay_reveal(actor=dues_world.officer3, base=base)


def test_integrity_finds_a_month_whose_paid_drifted(dues_world):
    set_base(dues_world.paying, pay="4000", month=MONTH)
    dues = services.charge(member=dues_world.paying, month=MONTH)
    services.payment_record(actor=None, dues=dues, amount="40", key="p")
    DuesMonth.objects.filter(pk=dues.pk).update(paid=D("10"))
    assert found("dues.months") == {"month_payment_mismatch": {dues.pk}}


def test_accounts_are_per_organization(dues_world):
    set_base(dues_world.paying, pay="4000", month=MONTH)
    dues = services.charge(member=dues_world.paying, month=MONTH)
    services.payment_record(actor=None, dues=dues, amount="40", key="p")
    receipts = services.account_of(dues_world.eb, AccountKind.RECEIPTS)
    assert receipts.floor is None
    receipts.refresh_from_db()
    assert receipts.balance == D("-40.00")
    assert datetime.date.today() >= MONTH
