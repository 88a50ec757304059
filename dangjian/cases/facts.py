"""What a case adds to the figures store (core.figures.facts), read by the case figures.

The cohort day is the local date of received_at; a case merged into another adds nothing (the main
case carries the demand). Of a case, as it is now:

- received: 1 (rejected ones too: they were received and answered);
- dispatched: given to a handler (dispatched_at set);
- closed: in a status that counts as closed (workflow: counts_as_closed);
- closed_on_time: closed with closed_at <= deadline;
- overdue: open and marked overdue by the deadline scan (a step) or past its deadline when last
  written, or closed after its deadline;
- returned: sent back at least once; rated / satisfied: its latest rating;
- the hours from received to closed, in the duration buckets, for a closed case.

Dimensions: every department that took part (dispatched to it or summoned by a whistle), at every
depth; the category and the channel down to the community.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import SATISFIED_RATINGS, Case, CaseDepartment, CaseStatus
from .workflow import CLOSED_STATUSES, OPEN_STATUSES

COMMUNITY_DEPTH = 3
SATISFIED = SATISFIED_RATINGS


class CaseFacts(facts.Subject):
    name = "cases"
    model = Case
    cohort_field = "received_at"
    counts = ("received", "dispatched", "closed", "closed_on_time", "overdue", "returned", "rated", "satisfied")
    durations = True
    dims = {"department": None, "category": COMMUNITY_DEPTH, "channel": COMMUNITY_DEPTH}
    fields = (
        "received_at",
        "area_path",
        "status",
        "dispatched_at",
        "closed_at",
        "deadline",
        "overdue_at",
        "return_count",
        "rating",
        "category_id",
        "channel",
        "assigned_department_id",
    )

    def extras(self, pks: list[int]) -> dict[int, Any]:
        out: dict[int, set[int]] = {}
        for case_id, department_id in CaseDepartment.objects.filter(case_id__in=pks).values_list(
            "case_id", "department_id"
        ):
            out.setdefault(case_id, set()).add(department_id)
        return out

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        if status == CaseStatus.MERGED:
            return None
        closed = status in CLOSED_STATUSES
        closed_at, deadline = row["closed_at"], row["deadline"]
        on_time = closed and closed_at is not None and deadline is not None and closed_at <= deadline
        late = closed and closed_at is not None and deadline is not None and closed_at > deadline
        overdue = status in OPEN_STATUSES and (
            row["overdue_at"] is not None or (deadline is not None and deadline < now)
        )
        departments = set(extra or ())
        if row["assigned_department_id"] is not None:
            departments.add(row["assigned_department_id"])
        dims = [f"department:{d}" for d in sorted(departments)]
        dims.append(f"category:{row['category_id']}")
        dims.append(f"channel:{row['channel']}")
        hours = None
        if closed and closed_at is not None:
            hours = (closed_at - row["received_at"]).total_seconds() / 3600
        return facts.Part(
            day=timezone.localdate(row["received_at"]),
            area_path=row["area_path"],
            dims=tuple(dims),
            counts={
                "received": 1,
                "dispatched": int(row["dispatched_at"] is not None),
                "closed": int(closed),
                "closed_on_time": int(on_time),
                "overdue": int(overdue or late),
                "returned": int(row["return_count"] > 0),
                "rated": int(row["rating"] != ""),
                "satisfied": int(row["rating"] in SATISFIED),
            },
            hours=hours,
        )


CASES = facts.register(CaseFacts())

from .whistle import facts as whistle_facts  # noqa: E402, F401  (吹哨报到: cases.whistles)
