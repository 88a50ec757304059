"""What the whistles (吹哨报到) add to the figures store (core.figures.facts), read by the cockpit.

"cases.whistles" (a flow, cohort: the day it was blown) at its case's node, by level (`level:<level>`,
every depth). Of a whistle, as it is now:

- whistles: 1; summoned: the departments it summoned;
- acted: every summoned department has acted (处置: the whistle is over);
- solved: its case is closed (办结, 回访, 归档: what the whistle was blown for is done);
- escalated: it is a district-level whistle escalated from a subdistrict's or community's.

001: "社区吹哨、部门报到" 有效解决公共需求 2100 多项 (solved).

Kept true in the writers' transactions: a whistle is created inside the case's WHISTLE or ESCALATE step
(its summonses are bulk-created after it), so the case's step re-records its whistles, as does a step
that closes or reopens the case; a department's report saves its Summons row, which re-records the
whistle. The nightly reconciliation recomputes yesterday's whistles like any flow.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.workflow import step_taken

from ..models import Case, Summons, Whistle, WhistleLevel
from ..workflow import CLOSED_STATUSES, Step


class WhistleFacts(facts.Subject):
    name = "cases.whistles"
    model = Whistle
    cohort_field = "blown_at"
    counts = ("whistles", "summoned", "acted", "solved", "escalated")
    dims = {"level": None}
    fields = ("blown_at", "level", "escalated_from_id")
    extras_when_created = True

    def extras(self, pks: list[int]) -> dict[int, Any]:
        summoned = {
            row["whistle_id"]: (row["n"], row["acted"])
            for row in Summons.objects.filter(whistle_id__in=pks)
            .order_by()
            .values("whistle_id")
            .annotate(n=Count("pk"), acted=Count("pk", filter=Q(acted_at__isnull=False)))
        }
        cases = Whistle.objects.filter(pk__in=pks).values_list("pk", "case__area_path", "case__status")
        return {pk: (path, status, *summoned.get(pk, (0, 0))) for pk, path, status in cases}

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if extra is None or not extra[0]:
            return None
        path, status, summoned, acted = extra
        return facts.Part(
            day=timezone.localdate(row["blown_at"] or now),
            area_path=path,
            dims=(f"level:{row['level']}",),
            counts={
                "whistles": 1,
                "summoned": summoned,
                "acted": int(summoned > 0 and acted >= summoned),
                "solved": int(status in CLOSED_STATUSES),
                "escalated": int(row["level"] == WhistleLevel.DISTRICT and row["escalated_from_id"] is not None),
            },
        )


WHISTLES = facts.register(WhistleFacts())


def _whistles_of_case(case_id: int) -> None:
    for whistle in Whistle.objects.filter(case_id=case_id):
        facts.record(WHISTLES, whistle)


def case_step(sender: Any, obj: Any = None, step: str = "", from_status: str = "", to_status: str = "", **kw: Any):
    """A case's step that blows or escalates a whistle, or closes or reopens the case: its whistles."""
    if obj is None:
        return
    if step in (Step.WHISTLE, Step.ESCALATE) or (from_status in CLOSED_STATUSES) != (to_status in CLOSED_STATUSES):
        _whistles_of_case(obj.pk)


def summons_saved(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    """A department's report: its whistle."""
    if raw:
        return
    whistle = Whistle.objects.filter(pk=instance.whistle_id).first()
    if whistle is not None:
        facts.record(WHISTLES, whistle)


step_taken.connect(case_step, sender=Case, dispatch_uid="cases.whistles.case_step")
post_save.connect(summons_saved, sender=Summons, dispatch_uid="cases.whistles.summons")
