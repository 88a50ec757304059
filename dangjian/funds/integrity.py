"""The funds ledger's integrity checks (core/integrity.py): the engine's (every journal sums to zero and
has entries, each stored balance is the sum of its entries, no account below its floor), plus the
funds rules: a source account never above zero, no area's commitments above what was allocated to it,
the refunds of a payment never above the payment, and each journal's stated amount equal to what it
moved. Each is one SQL aggregate."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dangjian.core.integrity import Finding, Options, finding, register_workflow, rows
from dangjian.core.ledger.checks import register_checks

from .models import LEDGER, Account, AccountKind, Entry, Journal, JournalKind
from .workflow import FLOW

ZERO = Decimal(0)
AMOUNT = Entry._meta.get_field("amount")


def positive_source(options: Options) -> Iterator[Finding]:
    """A source account only gives: its entries never sum above zero."""
    totals = Account.objects.filter(kind=AccountKind.SOURCE).annotate(
        total=Coalesce(Sum("entries__amount"), ZERO, output_field=AMOUNT)
    )
    for row in rows(totals.filter(total__gt=0), "kind", "total"):
        yield finding(
            Account,
            row,
            "positive_source",
            _("拨款来源账户余额为正数：%(b)s 元") % {"b": row["total"]},
            balance=row["total"],
        )


def commitments_within_allocation(options: Options) -> Iterator[Finding]:
    """Per (area, kind, year): net commitments (commitments − releases) never above the allocations."""
    journals = Journal.objects.order_by().values("area_id", "fund", "year", "kind").annotate(s=Sum("amount"))
    totals: dict[tuple, dict[str, Decimal]] = {}
    for row in journals.iterator(chunk_size=5000):
        key = (row["area_id"], row["fund"], row["year"])
        totals.setdefault(key, {})[row["kind"]] = Decimal(str(row["s"] or 0))
    for (area_id, fund, year), sums in totals.items():
        allocated = sums.get(JournalKind.ALLOCATION, ZERO)
        committed = sums.get(JournalKind.COMMITMENT, ZERO) - sums.get(JournalKind.RELEASE, ZERO)
        if committed - allocated >= LEDGER.quantum:
            yield finding(
                Journal,
                {"pk": None, "public_id": None},
                "commitment_above_allocation",
                _("承诺金额 %(c)s 元超过拨付金额 %(a)s 元") % {"c": committed, "a": allocated},
                area_id=area_id,
                fund=fund,
                year=year,
            )


def refunds_within_payment(options: Options) -> Iterator[Finding]:
    refunded = Journal.objects.filter(refunds=OuterRef("pk")).order_by().values("refunds").annotate(s=Sum("amount"))
    payments = Journal.objects.filter(kind=JournalKind.PAYMENT).annotate(
        back=Coalesce(Subquery(refunded.values("s")[:1]), ZERO, output_field=AMOUNT)
    )
    for row in rows(payments.filter(back__gt=F("amount")), "key", "amount", "back"):
        yield finding(
            Journal,
            row,
            "refund_above_payment",
            _("退款合计 %(r)s 元超过支付金额 %(p)s 元") % {"r": row["back"], "p": row["amount"]},
            key=row["key"],
        )
    wrong = Journal.objects.filter(refunds__isnull=False).exclude(refunds__kind=JournalKind.PAYMENT)
    for row in rows(wrong, "key"):
        yield finding(Journal, row, "refund_of_non_payment", _("退款对应的不是支付记账"), key=row["key"])


def stated_amounts(options: Options) -> Iterator[Finding]:
    """A journal's `amount` is the sum of its positive entries (what it moved)."""
    moved = (
        Entry.objects.filter(journal=OuterRef("pk"), amount__gt=0)
        .order_by()
        .values("journal")
        .annotate(s=Sum("amount"))
    )
    journals = Journal.objects.annotate(moved=Coalesce(Subquery(moved.values("s")[:1]), ZERO, output_field=AMOUNT))
    for row in rows(journals.exclude(moved=F("amount")), "key", "amount", "moved"):
        yield finding(
            Journal,
            row,
            "amount_mismatch",
            _("记账金额 %(a)s 元与分录 %(m)s 元不符") % {"a": row["amount"], "m": row["moved"]},
            key=row["key"],
        )


register_checks(
    LEDGER,
    floor_code="negative_balance",
    more_balances=[positive_source, commitments_within_allocation, refunds_within_payment, stated_amounts],
)

register_workflow(FLOW)
