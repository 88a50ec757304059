"""What a demand adds to the figures store (core.figures.facts), read by the demand figures.

The cohort day is the local date of submitted_at; a demand the requester withdrew adds nothing. Of a
demand, as it is now:

- received: 1 (declined ones too); accepted (accepted_at set); declined; taken (taken_at set);
- done: the service was given (workflow: is_done);
- rated, and stars_1 .. stars_5 (its rating): the average and the share of good ratings follow for
  any district's threshold;
- late: open and its current step past its due time when last written (a step, or the reminder
  scan's log row); escalated: open and escalated to the secretary;
- amount: the service hours of a done demand, in tenths of an hour.

Dimensions: the kind and the need category, down to the community.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Demand, DemandLog, DemandStatus
from .workflow import ESCALATE, OPEN_DEMAND_STATUSES, REMIND, SERVED_STATUSES

COMMUNITY_DEPTH = 3
STARS = tuple(range(1, 6))


class DemandFacts(facts.Subject):
    name = "demands"
    model = Demand
    cohort_field = "submitted_at"
    counts = (
        "received",
        "accepted",
        "declined",
        "taken",
        "done",
        "rated",
        "late",
        "escalated",
        *(f"stars_{k}" for k in STARS),
    )
    amount = "hours_tenths"
    dims = {"kind": COMMUNITY_DEPTH, "category": COMMUNITY_DEPTH}
    fields = (
        "submitted_at",
        "area_path",
        "status",
        "accepted_at",
        "taken_at",
        "step_due_at",
        "escalated_at",
        "rating",
        "hours",
        "kind",
        "category_id",
    )

    def touches(self) -> list:
        # The reminder and escalation scans write a log row (and escalated_at) without a step.
        return [(DemandLog, lambda log: log.demand_id if log.step in (REMIND, ESCALATE) else None)]

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        if status == DemandStatus.WITHDRAWN:
            return None
        is_open = status in OPEN_DEMAND_STATUSES
        done = status in SERVED_STATUSES
        rating = row["rating"]
        due = row["step_due_at"]
        counts = {
            "received": 1,
            "accepted": int(row["accepted_at"] is not None),
            "declined": int(status == DemandStatus.DECLINED),
            "taken": int(row["taken_at"] is not None),
            "done": int(done),
            "rated": int(rating is not None),
            "late": int(is_open and due is not None and due < now),
            "escalated": int(is_open and row["escalated_at"] is not None),
        }
        if rating in STARS:
            counts[f"stars_{rating}"] = 1
        hours = row["hours"]
        dims = [f"kind:{row['kind']}"]
        if row["category_id"] is not None:
            dims.append(f"category:{row['category_id']}")
        return facts.Part(
            day=timezone.localdate(row["submitted_at"]),
            area_path=row["area_path"],
            dims=tuple(dims),
            counts=counts,
            amount=int(Decimal(hours) * 10) if done and hours else 0,
        )


DEMANDS = facts.register(DemandFacts())
