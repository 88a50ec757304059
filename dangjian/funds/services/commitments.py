"""The commitment API other apps call (民生微实事 projects): commit a community's funds to a holder, pay
from the commitment, refund part of a payment, release the unspent rest.

`holder` is an opaque key naming what the money is committed to ("microprojects.project:<public_id>");
one holder has one commitment account, in one community, fund kind and year. Every write is one
balanced journal through core.ledger.post and is idempotent on `key`: a retry with a key already used
returns the first journal (or, for a release, what it released) and writes nothing.

Races are decided by the ledger's row locks: `post` locks the accounts it touches in primary-key order
and refuses a journal that takes an account below zero, so two commitments on the last yuan cannot
both pass, a payment never exceeds what is committed and unpaid, and a refund (checked under the lock
of the commitment account) never exceeds its payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from dangjian.core import ledger
from dangjian.territory.models import Area

from ..models import LEDGER, Account, AccountKind, Journal, JournalKind
from . import book

ZERO = Decimal("0.00")


def _commitment_account(holder: str, community: Area, kind: str, year: int) -> Account:
    account = book.find_commitment(holder)
    if account is None:
        account, _created = Account.objects.get_or_create(
            kind=AccountKind.COMMITMENT, holder=holder, defaults={"area": community, "fund": kind, "year": year}
        )
    if (account.area_id, account.fund, account.year) != (community.pk, kind, year):
        raise ValidationError(_("该对象已在其他社区、经费类别或年度承诺过经费。"))
    return account


def _held(holder: str) -> Account:
    account = book.find_commitment(book.clean_holder(holder))
    if account is None:
        raise ValidationError(_("该对象没有承诺的经费。"))
    return account


@transaction.atomic
def commit_funds(
    *, actor: Any, holder: str, community: Area, kind: str, year: int, amount: Any, memo: str, key: str
) -> Journal:
    """Commit `amount` of the community's `kind` funds of `year` to `holder` (fund → commitment).

    Refused (ValidationError, Chinese) when the community's available balance is short. Returns the
    commitment journal (kind "commitment"; `.amount`, `.public_id`)."""
    key = ledger.clean_key(key)
    found = book.existing(key, JournalKind.COMMITMENT)
    if found is not None:
        return found
    holder, community, year = book.clean_holder(holder), book.community_of(community), book.clean_year(year)
    amount = ledger.clean_amount(LEDGER, amount)
    fund = book.fund_kind(book.district_of(community), kind)
    book.check_covers(actor, community)
    account = _commitment_account(holder, community, fund.code, year)
    source = book.fund_account(community, fund.code, year)
    return book.post(
        kind=JournalKind.COMMITMENT,
        key=key,
        lines=[(source, -amount), (account, amount)],
        area=community,
        fund=fund.code,
        year=year,
        amount=amount,
        memo=memo,
        actor=actor,
        holder=holder,
    )


@transaction.atomic
def pay_commitment(
    *,
    actor: Any,
    holder: str,
    amount: Any,
    payee: str,
    memo: str,
    key: str,
    voucher: Any = None,
    approver: Any = None,
) -> Journal:
    """Pay `amount` to `payee` from what is committed to `holder` and not yet paid (commitment → spent).

    `voucher` is an uploaded file (an invoice or receipt), `approver` the user who approved the payment."""
    key = ledger.clean_key(key)
    found = book.existing(key, JournalKind.PAYMENT)
    if found is not None:
        return found
    account = _held(holder)
    amount = ledger.clean_amount(LEDGER, amount)
    payee = (payee or "").strip()
    if not payee:
        raise ValidationError(_("请填写收款方。"))
    book.check_covers(actor, account.area)
    spent = book.spent_account(account.area, account.fund, account.year)
    fields: dict[str, Any] = {"holder": account.holder, "payee": payee[:100], "approver": approver}
    if voucher is not None:
        fields["voucher"] = voucher
    return book.post(
        kind=JournalKind.PAYMENT,
        key=key,
        lines=[(account, -amount), (spent, amount)],
        area=account.area,
        fund=account.fund,
        year=account.year,
        amount=amount,
        memo=memo,
        actor=actor,
        **fields,
    )


def refunded_of(payment: Journal) -> Decimal:
    total = Journal.objects.filter(refunds=payment).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0).quantize(LEDGER.quantum)


@transaction.atomic
def refund_payment(*, actor: Any, holder: str, payment: Journal, amount: Any, memo: str, key: str) -> Journal:
    """Money paid back by the payee: `amount` returns from spent to the commitment (payable or releasable
    again). The refunds of one payment never sum above it."""
    key = ledger.clean_key(key)
    found = book.existing(key, JournalKind.REFUND)
    if found is not None:
        return found
    account = _held(holder)
    if payment is None or payment.kind != JournalKind.PAYMENT or payment.holder != account.holder:
        raise ValidationError(_("退款必须对应该对象的一笔支付。"))
    amount = ledger.clean_amount(LEDGER, amount)
    book.check_covers(actor, account.area)
    spent = book.spent_account(account.area, account.fund, account.year)
    ledger.lock(LEDGER, [account.pk, spent.pk])  # refunds of one payment are serialized from here
    found = book.existing(key, JournalKind.REFUND)
    if found is not None:
        return found
    left = payment.amount - refunded_of(payment)
    if amount > left:
        raise ValidationError(_("退款不能超过支付金额（该笔支付还可退 %(left)s 元）。") % {"left": left})
    return book.post(
        kind=JournalKind.REFUND,
        key=key,
        lines=[(spent, -amount), (account, amount)],
        area=account.area,
        fund=account.fund,
        year=account.year,
        amount=amount,
        memo=memo,
        actor=actor,
        holder=account.holder,
        refunds=payment,
    )


@transaction.atomic
def release_commitment(*, actor: Any, holder: str, memo: str, key: str) -> Decimal:
    """Return what is committed to `holder` and unpaid to the community's fund; returns that amount
    (0 when nothing is left, and then nothing is written)."""
    key = ledger.clean_key(key)
    found = book.existing(key, JournalKind.RELEASE)
    if found is not None:
        return found.amount
    account = _held(holder)
    book.check_covers(actor, account.area)
    fund = book.fund_account(account.area, account.fund, account.year)
    locked = ledger.lock(LEDGER, [account.pk, fund.pk])
    found = book.existing(key, JournalKind.RELEASE)
    if found is not None:
        return found.amount
    rest = Decimal(locked[account.pk].balance).quantize(LEDGER.quantum)
    if rest <= 0:
        return ZERO
    book.post(
        kind=JournalKind.RELEASE,
        key=key,
        lines=[(account, -rest), (fund, rest)],
        area=account.area,
        fund=account.fund,
        year=account.year,
        amount=rest,
        memo=memo,
        actor=actor,
        holder=account.holder,
    )
    return rest
