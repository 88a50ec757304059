"""The integrity checks every ledger gets (core/integrity.py): `register_checks(LEDGER)` in the app's
integrity.py registers `<name>.journals` (each journal sums to zero and has entries) and
`<name>.balances` (each stored balance is the sum of its entries; no account is below its floor), each
one SQL aggregate."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from . import ZERO, Ledger

BalanceCheck = Callable[[Options], Iterator[Finding]]


def _q(ledger: Ledger, value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(ledger.quantum)


def journal_findings(ledger: Ledger) -> Iterator[Finding]:
    """Journals whose entries do not sum to zero, and journals with no entry."""
    entry, journal = ledger.entry, ledger.journal
    unbalanced = entry.objects.order_by().values("journal_id").annotate(total=Sum("amount"), n=Count("pk"))
    for total in unbalanced.exclude(total=0).iterator(chunk_size=2000):
        row = journal.objects.filter(pk=total["journal_id"]).values("pk", "public_id", "key", "kind").first() or {}
        yield finding(
            journal,
            row,
            "unbalanced_journal",
            _("记账的分录合计为 %(t)s %(unit)s（应为 0）") % {"t": total["total"], "unit": ledger.unit},
            total=total["total"],
            entries=total["n"],
            key=row.get("key", ""),
            kind=row.get("kind", ""),
        )
    empty = journal.objects.filter(~Exists(entry.objects.filter(journal=OuterRef("pk"))))
    for row in rows(empty, "key", "kind"):
        yield finding(journal, row, "empty_journal", _("记账没有分录"), key=row["key"], kind=row["kind"])


def balance_findings(ledger: Ledger, *, floor_code: str = "below_floor") -> Iterator[Finding]:
    """Stored balances that differ from the sum of their entries; sums below the account's floor."""
    account, entry = ledger.account, ledger.entry
    amount = entry._meta.get_field("amount")
    sums = entry.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(s=Sum("amount"))
    totals = account._base_manager.annotate(total=Coalesce(Subquery(sums.values("s")[:1]), ZERO, output_field=amount))
    # Compared to within half a quantum: SQLite sums decimals as floats (35.7 may come back 35.70000001).
    half = Value(ledger.quantum / 2, output_field=amount)
    drift = totals.annotate(drift=Abs(F("balance") - F("total"), output_field=amount)).filter(drift__gte=half)
    for row in rows(drift, "kind", "balance", "total"):
        yield finding(
            account,
            row,
            "balance_mismatch",
            _("账户记录的余额 %(b)s %(unit)s，与分录合计 %(t)s %(unit)s 不符")
            % {"b": row["balance"], "t": _q(ledger, row["total"]), "unit": ledger.unit},
            kind=row["kind"],
            balance=row["balance"],
            total=_q(ledger, row["total"]),
        )
    below = totals.filter(floor__isnull=False, total__lte=F("floor") - half)
    for row in rows(below, "kind", "floor", "total"):
        yield finding(
            account,
            row,
            floor_code,
            _("账户余额 %(t)s %(unit)s，低于下限 %(f)s %(unit)s")
            % {"t": _q(ledger, row["total"]), "f": row["floor"], "unit": ledger.unit},
            kind=row["kind"],
            balance=_q(ledger, row["total"]),
            floor=row["floor"],
        )


def register_checks(ledger: Ledger, *, floor_code: str = "below_floor", more_balances: Sequence[BalanceCheck] = ()):
    """Register `<name>.journals` and `<name>.balances` (plus the app's own balance rules) with core.integrity."""

    def journals(options: Options) -> Iterator[Finding]:
        yield from journal_findings(ledger)

    def balances(options: Options) -> Iterator[Finding]:
        yield from balance_findings(ledger, floor_code=floor_code)
        for check in more_balances:
            yield from check(options)

    integrity.register(f"{ledger.name}.journals", format_lazy("{}{}", ledger.label, gettext_lazy("每笔记账借贷平衡")))(
        journals
    )
    integrity.register(f"{ledger.name}.balances", format_lazy("{}{}", ledger.label, gettext_lazy("账户余额")))(balances)
