"""What dues add to the figures store (core.figures.facts), one cohort per month (the month's first day),
at the branch's territory node and per branch (dimension `org:<id>`, kept down to the community).

- `dues.due`: members charged, settled (paid at least what they owe), unsettled, with an adjustment;
  the amount is what is owed (the month's dues plus adjustments) in fen.
- `dues.paid`: members who paid anything toward the month, the voluntary extra in fen (a counter); the
  amount is what was paid toward the dues in fen (never above what is owed), so arrears of any node and
  period are due minus paid, both read from the store.

Two subjects because the store keeps one 64-bit amount per subject; a province's monthly dues in fen
pass the 32-bit counters. The services record both whenever a month's dues change (services.py)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.money import fen

from .models import DuesMonth

COMMUNITY_DEPTH = 3
ZERO = Decimal(0)


def _day(row: Mapping[str, Any]) -> datetime.date:
    return timezone.localdate(row["month_start"])


class DueFacts(facts.Subject):
    name = "dues.due"
    model = DuesMonth
    cohort_field = "month_start"
    counts = ("members", "settled", "unsettled", "adjusted")
    amount = "fen"
    dims = {"org": COMMUNITY_DEPTH}
    fields = ("month_start", "area_path", "org_id", "amount_due", "adjustment", "paid")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        owed = max(ZERO, Decimal(row["amount_due"]) + Decimal(row["adjustment"]))
        settled = Decimal(row["paid"]) >= owed
        return facts.Part(
            day=_day(row),
            area_path=row["area_path"],
            dims=(f"org:{row['org_id']}",),
            counts={
                "members": 1,
                "settled": int(settled),
                "unsettled": int(not settled),
                "adjusted": int(Decimal(row["adjustment"]) != 0),
            },
            amount=fen(owed),
        )


class PaidFacts(facts.Subject):
    name = "dues.paid"
    model = DuesMonth
    cohort_field = "month_start"
    counts = ("payers", "extra_fen")
    amount = "fen"
    dims = {"org": COMMUNITY_DEPTH}
    fields = ("month_start", "area_path", "org_id", "amount_due", "adjustment", "paid", "extra")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        owed = max(ZERO, Decimal(row["amount_due"]) + Decimal(row["adjustment"]))
        paid, more = Decimal(row["paid"]), Decimal(row["extra"])
        if not paid and not more:
            return None
        return facts.Part(
            day=_day(row),
            area_path=row["area_path"],
            dims=(f"org:{row['org_id']}",),
            counts={"payers": int(paid > 0 or more > 0), "extra_fen": fen(more)},
            amount=fen(min(paid, owed)),
        )


DUE = facts.register(DueFacts())
PAID = facts.register(PaidFacts())
SUBJECTS = (DUE, PAID)


def record(dues: DuesMonth) -> None:
    """Bring both subjects up to date with a month's dues (inside the writer's transaction)."""
    for subject in SUBJECTS:
        facts.record(subject, dues)


def record_many(pks: list[int]) -> None:
    for subject in SUBJECTS:
        facts.record_rows(subject, pks)
