"""The time bank's integrity checks (core/integrity.py) on its double-entry ledger (models.py): every
journal's entries sum to zero, no account that may not be negative is, the issuance account is never
positive, each community's escrow holds exactly its unsettled holds, and a settlement moves exactly
the hours its hold held. Each is one SQL aggregate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import NON_NEGATIVE_KINDS, Account, AccountKind, Entry, Journal, JournalKind

ZERO = Decimal(0)


@integrity.register("timebank.journals", gettext_lazy("时间银行每笔记账借贷平衡"))
def journals(options: Options) -> Iterator[Finding]:
    unbalanced = (
        Entry.objects.order_by().values("journal_id").annotate(total=Sum("amount"), n=Count("pk")).exclude(total=0)
    )
    for total in unbalanced.iterator(chunk_size=2000):
        journal: Mapping[str, Any] = (
            Journal.objects.filter(pk=total["journal_id"]).values("pk", "public_id", "key", "kind").first() or {}
        )
        yield finding(
            Journal,
            journal,
            "unbalanced_journal",
            _("记账的分录合计为 %(t)s 小时（应为 0）") % {"t": total["total"]},
            total=total["total"],
            entries=total["n"],
            key=journal.get("key", ""),
            kind=journal.get("kind", ""),
        )
    empty = Journal.objects.filter(~Exists(Entry.objects.filter(journal=OuterRef("pk"))))
    for row in rows(empty, "key", "kind"):
        yield finding(Journal, row, "empty_journal", _("记账没有分录"), key=row["key"], kind=row["kind"])


@integrity.register("timebank.balances", gettext_lazy("时间银行账户余额"))
def balances(options: Options) -> Iterator[Finding]:
    totals = Account.objects.annotate(
        balance=Coalesce(Sum("entries__amount"), ZERO, output_field=Entry._meta.get_field("amount"))
    )
    negative = totals.filter(kind__in=sorted(NON_NEGATIVE_KINDS), balance__lt=0)
    for row in rows(negative, "kind", "balance"):
        yield finding(
            Account,
            row,
            "negative_balance",
            _("账户余额为负数：%(b)s 小时") % {"b": row["balance"]},
            kind=row["kind"],
            balance=row["balance"],
        )
    for row in rows(totals.filter(kind=AccountKind.ISSUANCE, balance__gt=0), "kind", "balance"):
        yield finding(
            Account,
            row,
            "positive_issuance",
            _("发行账户余额为正数：%(b)s 小时（只能为负或零）") % {"b": row["balance"]},
            kind=row["kind"],
            balance=row["balance"],
        )


def _escrow_entry(journal_ref: str):
    """The amount of the escrow entry of the journal `journal_ref` names (an OuterRef path)."""
    return Subquery(
        Entry.objects.filter(journal=OuterRef(journal_ref), account__kind=AccountKind.ESCROW).values("amount")[:1]
    )


@integrity.register("timebank.escrow", gettext_lazy("时间银行托管与结清"))
def escrow(options: Options) -> Iterator[Finding]:
    # Every escrow account holds the sum of its unsettled holds: two GROUP BYs, one row per community.
    escrow_entries = Entry.objects.filter(account__kind=AccountKind.ESCROW).order_by().values("account")
    balance = dict(escrow_entries.annotate(s=Sum("amount")).values_list("account", "s"))
    unsettled = escrow_entries.filter(journal__kind=JournalKind.HOLD, journal__settled_by__isnull=True)
    held = dict(unsettled.annotate(s=Sum("amount")).values_list("account", "s"))
    for row in rows(Account.objects.filter(kind=AccountKind.ESCROW), "community_id"):
        have, want = balance.get(row["pk"]) or ZERO, held.get(row["pk"]) or ZERO
        if have != want:
            yield finding(
                Account,
                row,
                "escrow_mismatch",
                _("托管账户余额 %(b)s 小时，与未结清的托管合计 %(h)s 小时不符") % {"b": have, "h": want},
                community_id=row["community_id"],
                balance=have,
                held=want,
            )
    # A release or refund takes out of escrow exactly what its hold put in.
    settlements = Journal.objects.filter(kind__in=[JournalKind.RELEASE, JournalKind.REFUND]).annotate(
        out=_escrow_entry("pk"), put=_escrow_entry("settles")
    )
    for row in rows(settlements, "key", "kind", "out", "put", "settles_id"):
        if row["put"] is None or row["out"] is None or row["out"] != -row["put"]:
            yield finding(
                Journal,
                row,
                "settlement_mismatch",
                _("结清记账从托管中支出 %(o)s 小时，与托管存入的 %(p)s 小时不符") % {"o": row["out"], "p": row["put"]},
                key=row["key"],
                kind=row["kind"],
                hold_id=row["settles_id"],
                out=row["out"],
                put=row["put"],
            )
    settled_what = Journal.objects.filter(settles__isnull=False).exclude(settles__kind=JournalKind.HOLD)
    for row in rows(settled_what, "key", "kind", "settles_id"):
        yield finding(Journal, row, "settles_non_hold", _("结清记账指向的不是托管记账"), key=row["key"])
