"""Reads of 经费管理. `commitment_summary` and `available` are the API other apps call."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from dangjian.territory.models import Area

from .models import LEDGER, Account, AccountKind, Journal, JournalKind

ZERO = Decimal("0.00")


def _q(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(LEDGER.quantum)


@dataclass(frozen=True)
class CommitmentSummary:
    committed: Decimal
    paid: Decimal
    refunded: Decimal
    released: Decimal
    remaining: Decimal  # committed − paid + refunded − released: what may still be paid or released

    @property
    def spent(self) -> Decimal:
        """What was actually spent: payments less refunds."""
        return self.paid - self.refunded


def commitment_summary(holder: str) -> CommitmentSummary:
    """What is committed to `holder`, paid, refunded, released and remaining (one grouped query)."""
    sums = dict(
        Journal.objects.filter(holder=holder)
        .order_by()
        .values("kind")
        .annotate(s=Sum("amount"))
        .values_list("kind", "s")
    )
    committed = _q(sums.get(JournalKind.COMMITMENT))
    paid = _q(sums.get(JournalKind.PAYMENT))
    refunded = _q(sums.get(JournalKind.REFUND))
    released = _q(sums.get(JournalKind.RELEASE))
    return CommitmentSummary(
        committed=committed,
        paid=paid,
        refunded=refunded,
        released=released,
        remaining=committed - paid + refunded - released,
    )


def available(community: Area, kind: str, year: int) -> Decimal:
    """The community's uncommitted balance of fund kind `kind` for `year` (0 when nothing was allocated)."""
    value = (
        Account.objects.filter(kind=AccountKind.FUND, area=community, fund=kind, year=int(year), holder="")
        .values_list("balance", flat=True)
        .first()
    )
    return _q(value)


def payments_of(holder: str) -> list[Journal]:
    """The payments made for `holder`, newest first (a holder has few)."""
    return list(Journal.objects.filter(holder=holder, kind=JournalKind.PAYMENT).order_by("-id"))
