"""The commitment API the projects app calls: commit, pay, refund, release, and its reads."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.funds.models import Entry, Journal, JournalKind
from dangjian.funds.selectors import available, commitment_summary, payments_of
from dangjian.funds.services import commit_funds, pay_commitment, refund_payment, release_commitment

from .conftest import YEAR

pytestmark = pytest.mark.django_db
H = "microprojects.project:00000000-0000-0000-0000-000000000001"


def commit(world, amount, key="c1", holder=H, actor=None):
    return commit_funds(
        actor=actor or world.users.community_worker,
        holder=holder,
        community=world.c1,
        kind="micro",
        year=YEAR,
        amount=Decimal(amount),
        memo="立项",
        key=key,
    )


def test_commit_moves_available_to_the_holder(funded):
    journal = commit(funded, "30000")
    assert journal.kind == JournalKind.COMMITMENT and journal.amount == Decimal("30000.00")
    assert available(funded.c1, "micro", YEAR) == Decimal("70000.00")
    s = commitment_summary(H)
    assert (s.committed, s.paid, s.refunded, s.released, s.remaining) == (
        Decimal("30000.00"),
        0,
        0,
        0,
        Decimal("30000.00"),
    )


def test_commit_refused_when_short_in_chinese(funded):
    commit(funded, "90000")
    with pytest.raises(ValidationError) as exc:
        commit(funded, "10000.01", key="c2", holder=H + "x")
    assert "可用余额不足" in str(exc.value)
    assert available(funded.c1, "micro", YEAR) == Decimal("10000.00")


def test_commit_refused_where_nothing_was_allocated(funded):
    with pytest.raises(ValidationError, match="可用余额不足"):
        commit_funds(actor=None, holder=H, community=funded.c2, kind="micro", year=YEAR, amount=1, memo="", key="k")


def test_commit_refused_out_of_the_actors_scope(funded):
    with pytest.raises(ValidationError, match="本辖区"):
        commit(funded, "1", actor=funded.users.community_worker_outsider)


def test_unknown_kind_and_bad_holder_refused(funded):
    with pytest.raises(ValidationError, match="经费类别"):
        commit_funds(actor=None, holder=H, community=funded.c1, kind="nope", year=YEAR, amount=1, memo="", key="k")
    with pytest.raises(ValidationError, match="承诺对象"):
        commit_funds(actor=None, holder=" ", community=funded.c1, kind="micro", year=YEAR, amount=1, memo="", key="k")


def test_one_holder_one_community_kind_and_year(funded):
    commit(funded, "100")
    with pytest.raises(ValidationError, match="其他社区"):
        commit_funds(
            actor=None, holder=H, community=funded.c1, kind="micro", year=YEAR + 1, amount=1, memo="", key="k2"
        )
    commit(funded, "50", key="c-more")  # a top-up of the same commitment
    assert commitment_summary(H).committed == Decimal("150.00")


def test_retry_with_the_same_key_writes_once(funded):
    first = commit(funded, "500")
    again = commit(funded, "500")
    assert again.pk == first.pk
    assert Journal.objects.filter(kind=JournalKind.COMMITMENT).count() == 1
    pay1 = pay_commitment(actor=None, holder=H, amount=200, payee="某公司", memo="", key="p1")
    pay2 = pay_commitment(actor=None, holder=H, amount=200, payee="某公司", memo="", key="p1")
    assert pay1.pk == pay2.pk
    r1 = refund_payment(actor=None, holder=H, payment=pay1, amount=50, memo="", key="r1")
    assert refund_payment(actor=None, holder=H, payment=pay1, amount=50, memo="", key="r1").pk == r1.pk
    assert release_commitment(actor=None, holder=H, memo="", key="x1") == Decimal("350.00")
    assert release_commitment(actor=None, holder=H, memo="", key="x1") == Decimal("350.00")
    assert Journal.objects.filter(kind=JournalKind.RELEASE).count() == 1
    assert commitment_summary(H).remaining == 0


def test_pay_refused_above_committed_and_unpaid(funded):
    commit(funded, "1000")
    pay_commitment(actor=None, holder=H, amount=800, payee="施工单位", memo="", key="p1")
    with pytest.raises(ValidationError, match="剩余 200.00 元"):
        pay_commitment(actor=None, holder=H, amount="200.01", payee="施工单位", memo="", key="p2")
    with pytest.raises(ValidationError, match="收款方"):
        pay_commitment(actor=None, holder=H, amount=1, payee="", memo="", key="p3")
    with pytest.raises(ValidationError, match="没有承诺"):
        pay_commitment(actor=None, holder="other", amount=1, payee="x", memo="", key="p4")


def test_refund_never_above_its_payment(funded):
    commit(funded, "1000")
    pay = pay_commitment(actor=None, holder=H, amount=300, payee="施工单位", memo="", key="p1")
    pay_commitment(actor=None, holder=H, amount=500, payee="施工单位", memo="", key="p2")
    refund_payment(actor=None, holder=H, payment=pay, amount=200, memo="", key="r1")
    with pytest.raises(ValidationError, match="还可退 100.00 元"):
        refund_payment(actor=None, holder=H, payment=pay, amount="100.01", memo="", key="r2")
    refund_payment(actor=None, holder=H, payment=pay, amount=100, memo="", key="r3")
    s = commitment_summary(H)
    assert (s.paid, s.refunded, s.spent, s.remaining) == (Decimal(800), Decimal(300), Decimal(500), Decimal(500))


def test_refund_must_name_a_payment_of_the_holder(funded):
    commit(funded, "1000")
    commit(funded, "1000", key="c-other", holder="other")
    other_pay = pay_commitment(actor=None, holder="other", amount=10, payee="x", memo="", key="p0")
    with pytest.raises(ValidationError, match="对应该对象的一笔支付"):
        refund_payment(actor=None, holder=H, payment=other_pay, amount=1, memo="", key="r1")


def test_release_returns_the_unspent_rest(funded):
    commit(funded, "1000")
    pay_commitment(actor=None, holder=H, amount=400, payee="施工单位", memo="", key="p1")
    assert release_commitment(actor=None, holder=H, memo="结项", key="x") == Decimal("600.00")
    assert available(funded.c1, "micro", YEAR) == Decimal("99600.00")
    # Nothing left: nothing written.
    assert release_commitment(actor=None, holder=H, memo="结项", key="x2") == 0
    assert not Journal.objects.filter(key="x2").exists()
    with pytest.raises(ValidationError):
        pay_commitment(actor=None, holder=H, amount=1, payee="x", memo="", key="p9")


def test_payment_carries_payee_approver_and_voucher(funded):
    from django.core.files.base import ContentFile

    commit(funded, "1000")
    pay = pay_commitment(
        actor=funded.users.community_worker,
        holder=H,
        amount=100,
        payee="施工单位",
        memo="首付款",
        key="p1",
        voucher=ContentFile(b"%PDF-1.4 invoice", name="invoice.pdf"),
        approver=funded.users.subdistrict_admin,
    )
    pay.refresh_from_db()
    assert pay.payee == "施工单位" and pay.approver == funded.users.subdistrict_admin
    assert pay.voucher.name.startswith("funds/vouchers/") and pay.voucher.name.endswith(".pdf")
    assert payments_of(H) == [pay]


def test_every_journal_sums_to_zero(funded):
    commit(funded, "1000")
    pay = pay_commitment(actor=None, holder=H, amount=400, payee="x", memo="", key="p1")
    refund_payment(actor=None, holder=H, payment=pay, amount=100, memo="", key="r1")
    release_commitment(actor=None, holder=H, memo="", key="x")
    for journal in Journal.objects.all():
        assert sum(e.amount for e in Entry.objects.filter(journal=journal)) == 0
