"""The one place 民生微实事 calls the funds ledger (dangjian.funds): commit a project's budget, pay
against it, release what is left. Never a ledger row of our own; every call carries a key that makes
a retry write nothing twice. `FUND_KIND` is the 民生微实事资金 FundKind code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FUND_KIND = "micro"  # dangjian.funds.rules.MICRO


def commit(*, actor: Any, project: Any, amount: Decimal, year: int) -> Any:
    from dangjian.funds.services import commit_funds

    return commit_funds(
        actor=actor,
        holder=project.holder,
        community=project.community,
        kind=FUND_KIND,
        year=year,
        amount=amount,
        memo=f"民生微实事立项：{project.title}"[:200],
        key=f"microprojects:{project.public_id}:commit",
    )


def pay(*, actor: Any, project: Any, amount: Decimal, payee: str, memo: str, key: str, voucher: Any = None) -> Any:
    from dangjian.funds.services import pay_commitment

    return pay_commitment(
        actor=actor, holder=project.holder, amount=amount, payee=payee, memo=memo[:200], key=key, voucher=voucher
    )


def release(*, actor: Any, project: Any) -> Decimal:
    from dangjian.funds.services import release_commitment

    return release_commitment(
        actor=actor,
        holder=project.holder,
        memo=f"民生微实事结项，结余退回：{project.title}"[:200],
        key=f"microprojects:{project.public_id}:release",
    )


def summary(project: Any) -> Any:
    """committed, paid, refunded, released, remaining and spent (Decimals) as the ledger holds them."""
    from dangjian.funds.selectors import commitment_summary

    return commitment_summary(project.holder)


def paid_with(key: str) -> bool:
    """Whether a payment with this key was already written (a retry: the ledger replays it)."""
    from dangjian.core import ledger
    from dangjian.funds.models import LEDGER, JournalKind

    return ledger.existing(LEDGER, ledger.clean_key(key), JournalKind.PAYMENT) is not None
