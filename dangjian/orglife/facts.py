"""What org life adds to the figures store (core.figures.facts).

- `orglife_obligations`: one obligation (a branch, a kind, a period) on its period's first day at the
  branch's area: periods 1, due, held (at most due), met 1 when held ≥ due; by kind. Compliance of a
  node and quarter is met / periods (or held / due) summed over the obligations starting in it.
- `orglife_records`: one meeting held on its day at the branch's area: held 1, due and present people
  (the attendance rate is present / due), guided 1 when it followed a guidance; by kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import MeetingRecord, Obligation, RecordStatus


class ObligationFacts(facts.Subject):
    name = "orglife_obligations"
    model = Obligation
    cohort_field = "cohort_at"
    counts = ("periods", "due", "held", "met")
    dims = {"kind": None}
    fields = ("cohort_at", "period_start", "area_path", "kind", "due", "held")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=row["period_start"],
            area_path=row["area_path"],
            dims=(f"kind:{row['kind']}",),
            counts={
                "periods": 1,
                "due": row["due"],
                "held": min(row["held"], row["due"]),
                "met": int(row["held"] >= row["due"]),
            },
        )


class RecordFacts(facts.Subject):
    name = "orglife_records"
    model = MeetingRecord
    cohort_field = "starts_at"
    counts = ("held", "due_people", "present", "guided")
    dims = {"kind": None}
    fields = ("starts_at", "area_path", "kind", "status", "due_count", "present_count", "guidance_id")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["status"] != RecordStatus.HELD:
            return None
        return facts.Part(
            day=timezone.localdate(row["starts_at"]),
            area_path=row["area_path"],
            dims=(f"kind:{row['kind']}",),
            counts={
                "held": 1,
                "due_people": row["due_count"],
                "present": row["present_count"],
                "guided": int(row["guidance_id"] is not None),
            },
        )


OBLIGATIONS = facts.register(ObligationFacts())
RECORDS = facts.register(RecordFacts())
