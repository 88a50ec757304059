"""What the workforce adds to the figures store (core.figures.facts), read by the figures page.

- workers (a stock: who is on the register as of a date, at their community or subdistrict): head
  count; born 1980 or later (80后); 本科及以上 and 大专及以上; secretaries and 一肩挑 among them; placed
  in a community; the two committees and those with 大专及以上 among them; each kind. The dimension
  "born:<year>" (kept down to the community) carries the same counts per birth year, so "under 40" as
  of any date (born after the date's year − 40) is read from it without a row per person.
- training (cohort: the day of the check-in): attendances, and the hours (amount, in tenths of an hour).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Attendance, Education, Worker, WorkerKind, education_at_least

COMMUNITY_DEPTH = 3
KIND_COUNTS = {
    WorkerKind.SECRETARY: "secretaries",
    WorkerKind.COMMITTEE: "committee_members",
    WorkerKind.PROFESSIONAL: "professionals",
    WorkerKind.GRID: "grid_workers",
    WorkerKind.GENERALIST: "generalists",
    WorkerKind.FIRST_SECRETARY: "first_secretaries",
}


class WorkerFacts(facts.Subject):
    name = "workforce.workers"
    model = Worker
    stock = True
    cohort_field = "created_at"
    counts = (
        "workers",
        "born_1980",
        "bachelor",
        "college",
        "dual_role",
        "placed",
        "committee",
        "committee_college",
        *KIND_COUNTS.values(),
    )
    dims = {"born": COMMUNITY_DEPTH}
    fields = (
        "created_at",
        "active",
        "area_path",
        "birth_date",
        "education",
        "kind",
        "is_committee",
        "dual_role",
        "placed",
    )

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if not row["active"] or not row["area_path"]:
            return None
        college = education_at_least(row["education"], Education.COLLEGE)
        counts = {
            "workers": 1,
            "born_1980": int(row["birth_date"].year >= 1980),
            "bachelor": int(education_at_least(row["education"], Education.BACHELOR)),
            "college": int(college),
            "dual_role": int(bool(row["dual_role"])),
            "placed": int(bool(row["placed"])),
            "committee": int(bool(row["is_committee"])),
            "committee_college": int(bool(row["is_committee"]) and college),
            KIND_COUNTS[row["kind"]]: 1,
        }
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            dims=(f"born:{row['birth_date'].year}",),
            counts=counts,
        )


class TrainingFacts(facts.Subject):
    name = "workforce.training"
    model = Attendance
    cohort_field = "at"
    counts = ("attendances",)
    amount = "tenths of an hour"
    fields = ("at", "area_path", "hours")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=timezone.localdate(row["at"]),
            area_path=row["area_path"],
            counts={"attendances": 1},
            amount=int(row["hours"] * 10),
        )


WORKERS = facts.register(WorkerFacts())
TRAINING = facts.register(TrainingFacts())
