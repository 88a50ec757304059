"""What duty lists and admission add to the figures store (core.figures.facts):

- versions (cohort: the day the version was made; dimension `kind:<list kind>`): versions, those in force,
  drafts, and the entries each holds (all, in force, in force but not for communities), so the sizes of
  the lists in force of any node ("23 项街道权责", "48 项社区工作事项") are a sum of facts;
- admissions (cohort: the day submitted): submitted, pending, admitted, refused; amount = fen of money
  following the admitted ones (费随事转);
- tasks (cohort: the day drafted): drafted, sent, closed;
- refusals (cohort: the day refused; dimension `reason:`): refused attempts to send a task down;
- replies (cohort: the day the task was sent, at the community): owed, replied, on time, late.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import (
    AdmissionRequest,
    AdmissionStatus,
    DownTask,
    DutyListVersion,
    ReplyStatus,
    SendRefusal,
    TaskReply,
    TaskStatus,
    VersionStatus,
)


def _day(value: Any) -> datetime.date:
    return value if type(value) is datetime.date else timezone.localdate(value)


class VersionFacts(facts.Subject):
    name = "duties.versions"
    model = DutyListVersion
    cohort_field = "created_at"
    counts = ("versions", "in_force", "drafts", "entries", "entries_in_force", "not_for_community_in_force")
    dims = {"kind": None}
    fields = ("created_at", "area_path", "status", "entry_count", "not_for_community")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return dict(DutyListVersion.objects.filter(pk__in=pks).values_list("pk", "duty_list__kind"))

    extras_when_created = True

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        in_force = row["status"] == VersionStatus.IN_FORCE
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            dims=(f"kind:{extra}",) if extra else (),
            counts={
                "versions": 1,
                "in_force": int(in_force),
                "drafts": int(row["status"] == VersionStatus.DRAFT),
                "entries": row["entry_count"],
                "entries_in_force": row["entry_count"] if in_force else 0,
                "not_for_community_in_force": row["not_for_community"] if in_force else 0,
            },
        )


class AdmissionFacts(facts.Subject):
    name = "duties.admissions"
    model = AdmissionRequest
    cohort_field = "created_at"
    counts = ("submitted", "pending", "admitted", "refused", "people")
    amount = "fen"
    fields = ("created_at", "area_path", "status", "money", "people")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        admitted = row["status"] == AdmissionStatus.ADMITTED
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={
                "submitted": 1,
                "pending": int(row["status"] == AdmissionStatus.SUBMITTED),
                "admitted": int(admitted),
                "refused": int(row["status"] == AdmissionStatus.REFUSED),
                "people": row["people"] if admitted else 0,
            },
            amount=int(Decimal(row["money"]) * 100) if admitted else 0,
        )


class TaskFacts(facts.Subject):
    name = "duties.tasks"
    model = DownTask
    cohort_field = "created_at"
    counts = ("drafted", "sent", "closed")
    fields = ("created_at", "area_path", "status")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={
                "drafted": 1,
                "sent": int(row["status"] in (TaskStatus.SENT, TaskStatus.CLOSED)),
                "closed": int(row["status"] == TaskStatus.CLOSED),
            },
        )


class RefusalFacts(facts.Subject):
    name = "duties.refusals"
    model = SendRefusal
    cohort_field = "at"
    counts = ("refused", "communities")
    dims = {"reason": None}
    fields = ("at", "area_path", "reason", "communities")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=_day(row["at"]),
            area_path=row["area_path"],
            dims=(f"reason:{row['reason']}",),
            counts={"refused": 1, "communities": row["communities"]},
        )


class ReplyFacts(facts.Subject):
    name = "duties.replies"
    model = TaskReply
    cohort_field = "created_at"
    counts = ("owed", "replied", "on_time", "late")
    fields = ("created_at", "area_path", "status", "replied_at")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return dict(TaskReply.objects.filter(pk__in=pks).values_list("pk", "task__deadline"))

    extras_when_created = True

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        replied = row["status"] == ReplyStatus.REPLIED
        on_time = replied and extra is not None and _day(row["replied_at"]) <= extra
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={"owed": 1, "replied": int(replied), "on_time": int(on_time), "late": int(replied and not on_time)},
        )


VERSIONS = facts.register(VersionFacts())
ADMISSIONS = facts.register(AdmissionFacts())
TASKS = facts.register(TaskFacts())
REFUSALS = facts.register(RefusalFacts())
REPLIES = facts.register(ReplyFacts())
