"""The time bank's integrity checks (core/integrity.py) on its double-entry ledger (models.py): the
engine's (core/ledger: every journal's entries sum to zero, each stored balance is the sum of its
entries, no account is below its floor), the issuance account is never positive, each community's
escrow holds exactly its unsettled holds, and a settlement moves exactly the hours its hold held. Each
is one SQL aggregate."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.core.ledger.checks import register_checks

from .models import LEDGER, Account, AccountKind, Entry, Journal, JournalKind

ZERO = Decimal(0)


def positive_issuance(options: Options) -> Iterator[Finding]:
    """The issuance account has no floor, but it only ever gives: its entries never sum above zero."""
    totals = Account.objects.filter(kind=AccountKind.ISSUANCE).annotate(
        total=Coalesce(Sum("entries__amount"), ZERO, output_field=Entry._meta.get_field("amount"))
    )
    for row in rows(totals.filter(total__gt=0), "kind", "total"):
        yield finding(
            Account,
            row,
            "positive_issuance",
            _("发行账户余额为正数：%(b)s 小时（只能为负或零）") % {"b": row["total"]},
            kind=row["kind"],
            balance=row["total"],
        )


# timebank.journals (balanced, not empty) and timebank.balances (stored = sum of entries, no account
# below its floor, reported as negative_balance since every floor here is zero) come from the engine.
register_checks(LEDGER, floor_code="negative_balance", more_balances=[positive_issuance])


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
