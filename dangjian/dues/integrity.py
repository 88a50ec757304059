"""Dues integrity checks (core/integrity.py) on the ledger (models.py): the engine's (every journal
balances, each stored balance is the sum of its entries, no held account below zero) and the dues'
own: an organization's receipts equal what its members paid (payments and extras), its held account
equals its receipts plus remittances received minus remittances sent, and each month's paid and extra
equal the sum of its payments. Each is a handful of SQL aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.core.ledger.checks import register_checks

from .models import LEDGER, Account, AccountKind, DuesMonth, Payment, Remittance

ZERO = Decimal(0)
HALF_FEN = Decimal("0.005")


def _sum_by(qs, key: str, expr) -> dict[int, Decimal]:
    return {k: Decimal(str(v or 0)) for k, v in qs.order_by().values(key).annotate(s=expr).values_list(key, "s")}


def expected_balances() -> dict[tuple[int, str], Decimal]:
    """What each organization's two accounts should hold, from payments and remittances alone."""
    paid = _sum_by(Payment.objects.all(), "org_id", Sum(F("amount") + F("extra")))
    sent = _sum_by(Remittance.objects.all(), "from_org_id", Sum("amount"))
    received = _sum_by(Remittance.objects.all(), "to_org_id", Sum("amount"))
    out: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for org, amount in paid.items():
        out[(org, AccountKind.RECEIPTS)] -= amount
        out[(org, AccountKind.HELD)] += amount
    for org, amount in sent.items():
        out[(org, AccountKind.HELD)] -= amount
    for org, amount in received.items():
        out[(org, AccountKind.HELD)] += amount
    return out


def accounts_match_payments(options: Options) -> Iterator[Finding]:
    want = expected_balances()
    seen = set()
    for row in rows(Account.objects.all(), "org_id", "kind", "balance"):
        key = (row["org_id"], row["kind"])
        seen.add(key)
        expected = want.get(key, ZERO)
        if abs(Decimal(str(row["balance"])) - expected) >= HALF_FEN:
            yield finding(
                Account,
                row,
                "account_payment_mismatch",
                _("党费账户余额 %(b)s 元，与交纳和上缴记录推算的 %(e)s 元不符") % {"b": row["balance"], "e": expected},
                org_id=row["org_id"],
                kind=row["kind"],
                balance=row["balance"],
                expected=expected,
            )
    for (org, kind), expected in want.items():
        if (org, kind) not in seen and expected:
            yield finding(
                Account,
                {"pk": None},
                "account_missing",
                _("有交纳或上缴记录，但没有对应的党费账户"),
                org_id=org,
                kind=kind,
                expected=expected,
            )


register_checks(LEDGER, more_balances=[accounts_match_payments])


@integrity.register("dues.months", gettext_lazy("月度党费与交纳记录一致"))
def months_match_payments(options: Options) -> Iterator[Finding]:
    sums = Payment.objects.filter(dues=OuterRef("pk")).order_by().values("dues")
    field = DuesMonth._meta.get_field("paid")
    qs = DuesMonth.objects.annotate(
        p=Coalesce(Subquery(sums.annotate(s=Sum("amount")).values("s")[:1]), ZERO, output_field=field),
        x=Coalesce(Subquery(sums.annotate(s=Sum("extra")).values("s")[:1]), ZERO, output_field=field),
    )
    for row in rows(qs, "paid", "extra", "p", "x", "member_id", "month"):
        if (
            abs(Decimal(str(row["paid"])) - Decimal(str(row["p"]))) >= HALF_FEN
            or abs(Decimal(str(row["extra"])) - Decimal(str(row["x"]))) >= HALF_FEN
        ):
            yield finding(
                DuesMonth,
                row,
                "month_payment_mismatch",
                _("月度党费记录已交 %(a)s 元（多交 %(b)s 元），与交纳记录合计 %(c)s 元（%(d)s 元）不符")
                % {"a": row["paid"], "b": row["extra"], "c": row["p"], "d": row["x"]},
                member_id=row["member_id"],
                month=str(row["month"]),
            )
