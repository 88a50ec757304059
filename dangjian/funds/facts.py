"""What funds add to the figures store (core.figures.facts).

"funds" (flow): every journal on its day at its area (a community or a subdistrict): how many of each
kind, and its amount in fen under the dimensions "flow:<journal kind>" (allocated, committed, paid,
refunded, released per node and period) and "ff:<journal kind>.<fund kind>" (the same per fund kind).
The total row's amount mixes kinds and is not read.

"fund_alloc" (stock): what was allocated to an area of each fund kind for each year, as of any date,
under "fy:<fund kind>.<year>" (fen); the floors page compares it with each area's floor. Journals are
append-only, so a row's part never changes: the stock on date D is every allocation made up to D.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.money import fen

from .models import Journal, JournalKind

KINDS = tuple(JournalKind.values)


class FundFlowFacts(facts.Subject):
    name = "funds"
    model = Journal
    cohort_field = "created_at"
    counts = ("journals", *KINDS)
    amount = "fen"
    dims = {"flow": None, "ff": None}
    fields = ("created_at", "kind", "fund", "amount", "area_path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        kind = row["kind"]
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            dims=(f"flow:{kind}", f"ff:{kind}.{row['fund']}"),
            counts={"journals": 1, kind: 1},
            amount=fen(row["amount"]),
        )


class FundAllocationFacts(facts.Subject):
    name = "fund_alloc"
    model = Journal
    stock = True
    cohort_field = "created_at"
    counts = ("allocations",)
    amount = "fen"
    dims = {"fy": None}
    fields = ("created_at", "kind", "fund", "year", "amount", "area_path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["kind"] != JournalKind.ALLOCATION:
            return None
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            dims=(f"fy:{row['fund']}.{row['year']}",),
            counts={"allocations": 1},
            amount=fen(row["amount"]),
        )


FLOWS = facts.register(FundFlowFacts())
ALLOCATED = facts.register(FundAllocationFacts())
