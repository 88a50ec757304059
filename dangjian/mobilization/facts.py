"""What a call-up adds to the figures store (core.figures.facts), per call-up (the dimension
`callup:<pk>`, kept at every depth) and in total, at the node each row belongs to:

- mob_calls (a called person, at the grid they are placed in, else their home community): called,
  answered, available, declined, placed; amount = verified service hours in tenths;
- mob_quotas (a node's wanted headcount): wanted;
- mob_visits (a household on a visit list, at its grid): listed, visited, excused, pending, needs, met;
- mob_tasks (at its grid): tasks, open, done.

Unmet headcount at a node is wanted − placed, both read from here. The services record a row again
in their transaction whenever what it contributes changes (a bulk write calls record_bulk)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Call, CallStatus, Quota, Task, Visit, VisitStatus


def _dim(row: Mapping[str, Any]) -> tuple[str, ...]:
    return (f"callup:{row['callup_id']}",)


class CallFacts(facts.Subject):
    name = "mob_calls"
    model = Call
    cohort_field = "called_at"
    counts = ("called", "answered", "available", "declined", "placed")
    amount = "hours_tenths"
    dims = {"callup": None}
    fields = ("callup_id", "called_at", "place_path", "status", "answered_at", "hours")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        return facts.Part(
            day=timezone.localdate(row["called_at"]),
            area_path=row["place_path"],
            dims=_dim(row),
            counts={
                "called": 1,
                "answered": int(row["answered_at"] is not None),
                "available": int(status in (CallStatus.AVAILABLE, CallStatus.PLACED)),
                "declined": int(status == CallStatus.DECLINED),
                "placed": int(status == CallStatus.PLACED),
            },
            amount=int(round(float(row["hours"] or 0) * 10)),
        )


class QuotaFacts(facts.Subject):
    name = "mob_quotas"
    model = Quota
    cohort_field = "created_at"
    counts = ("wanted",)
    dims = {"callup": None}
    fields = ("callup_id", "created_at", "area_path", "headcount")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=timezone.localdate(row["created_at"]),
            area_path=row["area_path"],
            dims=_dim(row),
            counts={"wanted": row["headcount"]},
        )


class VisitFacts(facts.Subject):
    name = "mob_visits"
    model = Visit
    cohort_field = "created_at"
    counts = ("listed", "visited", "excused", "pending", "needs", "met")
    dims = {"callup": None}
    fields = ("callup_id", "created_at", "grid_path", "status", "need_count", "met_count")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        return facts.Part(
            day=timezone.localdate(row["created_at"]),
            area_path=row["grid_path"],
            dims=_dim(row),
            counts={
                "listed": 1,
                "visited": int(status == VisitStatus.VISITED),
                "excused": int(status == VisitStatus.EXCUSED),
                "pending": int(status == VisitStatus.PENDING),
                "needs": row["need_count"],
                "met": row["met_count"],
            },
        )


class TaskFacts(facts.Subject):
    name = "mob_tasks"
    model = Task
    cohort_field = "created_at"
    counts = ("tasks", "open", "done")
    dims = {"callup": None}
    fields = ("callup_id", "created_at", "grid_path", "done_at")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        done = row["done_at"] is not None
        return facts.Part(
            day=timezone.localdate(row["created_at"]),
            area_path=row["grid_path"],
            dims=_dim(row),
            counts={"tasks": 1, "open": int(not done), "done": int(done)},
        )


CALLS = facts.register(CallFacts())
QUOTAS = facts.register(QuotaFacts())
VISITS = facts.register(VisitFacts())
TASKS = facts.register(TaskFacts())
