"""What 民生微实事 adds to the figures store (core.figures.facts), read by the figures page and the bench.

- projects (cohort: the day proposed; a withdrawn proposal counts nowhere): projects, those from
  residents' proposals, reviewed (passed the council), established (funded), accepted, closed,
  rejected; the residents' satisfaction votes and the satisfied among them; claims; the days from
  征集 to 验收 summed over the accepted ones (average = days / accepted) and the same durations in
  the store's buckets; by kind, status and source. The amount is what was actually paid, in fen:
  "608 projects, 963.13万元 spent" for a node and a half-year is one read.
- budget (the same rows): the budget committed in the funds ledger, in fen, and the funded projects.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.money import fen

from .models import Project, Source, Status

COMMUNITY_DEPTH = 3
REVIEWED = frozenset(
    {Status.AUDITING, Status.APPROVED, Status.IMPLEMENTING, Status.ACCEPTING, Status.PUBLICIZING, Status.CLOSED}
)
ESTABLISHED = frozenset({Status.IMPLEMENTING, Status.ACCEPTING, Status.PUBLICIZING, Status.CLOSED})
ACCEPTED = frozenset({Status.PUBLICIZING, Status.CLOSED})


class ProjectFacts(facts.Subject):
    name = "microprojects.projects"
    model = Project
    cohort_field = "proposed_at"
    counts = (
        "projects",
        "from_residents",
        "reviewed",
        "established",
        "accepted",
        "closed",
        "rejected",
        "votes",
        "satisfied",
        "claims",
        "days_to_accept",
    )
    amount = "fen paid"
    durations = True
    dims = {"kind": None, "status": COMMUNITY_DEPTH, "source": COMMUNITY_DEPTH}
    fields = (
        "proposed_at",
        "area_path",
        "status",
        "kind",
        "source",
        "amount_paid",
        "accepted_at",
        "votes_count",
        "satisfied_count",
        "claims_count",
    )

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        if status == Status.WITHDRAWN:
            return None
        accepted = status in ACCEPTED and row["accepted_at"] is not None
        hours = (row["accepted_at"] - row["proposed_at"]).total_seconds() / 3600 if accepted else None
        return facts.Part(
            day=timezone.localdate(row["proposed_at"]),
            area_path=row["area_path"],
            dims=(f"kind:{row['kind']}", f"status:{status}", f"source:{row['source']}"),
            counts={
                "projects": 1,
                "from_residents": int(row["source"] == Source.RESIDENT),
                "reviewed": int(status in REVIEWED),
                "established": int(status in ESTABLISHED),
                "accepted": int(accepted),
                "closed": int(status == Status.CLOSED),
                "rejected": int(status == Status.REJECTED),
                "votes": row["votes_count"],
                "satisfied": row["satisfied_count"],
                "claims": row["claims_count"],
                "days_to_accept": max(0, round(hours / 24)) if hours is not None else 0,
            },
            amount=fen(row["amount_paid"]),
            hours=max(hours, 0.0) if hours is not None else None,
        )


class BudgetFacts(facts.Subject):
    name = "microprojects.budget"
    model = Project
    cohort_field = "proposed_at"
    counts = ("funded",)
    amount = "fen committed"
    dims = {"kind": None}
    fields = ("proposed_at", "area_path", "status", "kind", "budget_committed")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        committed = fen(row["budget_committed"])
        if not committed:
            return None
        return facts.Part(
            day=timezone.localdate(row["proposed_at"]),
            area_path=row["area_path"],
            dims=(f"kind:{row['kind']}",),
            counts={"funded": 1},
            amount=committed,
        )


PROJECTS = facts.register(ProjectFacts())
BUDGET = facts.register(BudgetFacts())
