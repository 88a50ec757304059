"""What assessment adds to the figures store (core.figures.facts), read by the figures page
(`assessment/figures.py`).

`assessment.sheets`: one score sheet on the first day of its scheme's year (`Sheet.cohort_at`) at its
subject's area (an organization's, or a department's for 街长评议), by scheme kind (`kind:<kind>`, at every
depth):

- sheets: 1; draft / reported / scored / published: 1 in its status;
- good / fair / pass / poor: 1 in its grade, once published (the result: grades of open sheets move);
- points: a published sheet's total in tenths of a point (the average is points / 10 / published).

The counts move with the sheet's steps (a step records the row, `core.workflow.take_step`); a published
sheet's total and grade no longer change. `services.schemes.sheets_open` records the sheets it creates in
bulk.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Grade, Sheet, SheetStatus

STATUSES = tuple(SheetStatus.values)
GRADES = tuple(Grade.values)


class SheetFacts(facts.Subject):
    name = "assessment.sheets"
    model = Sheet
    cohort_field = "cohort_at"
    counts = ("sheets", *STATUSES, *GRADES, "points")
    dims = {"kind": None}
    fields = ("cohort_at", "area_path", "status", "grade", "total")
    extras_when_created = True  # the scheme (its kind) exists before its sheets

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return dict(Sheet.objects.filter(pk__in=pks).values_list("pk", "scheme__kind"))

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        counts = {"sheets": 1, row["status"]: 1}
        if row["status"] == SheetStatus.PUBLISHED and row["grade"] in GRADES:
            counts[row["grade"]] = 1
            counts["points"] = int(Decimal(row["total"]) * 10)
        return facts.Part(
            day=timezone.localdate(row["cohort_at"]),
            area_path=row["area_path"],
            dims=(f"kind:{extra}",) if extra else (),
            counts=counts,
        )


SHEETS = facts.register(SheetFacts())
