"""What deliberation adds to the figures store (core.figures.facts), read by the figures page.

- councils (a stock: what exists as of a date): councils, their active representatives, the Party
  members among them, and councils below the district's Party-share target;
- topics (cohort: the day raised): received, accepted into an agenda (and those since decided),
  answered, referred, decided; by source;
- runs of 四议两公开 (cohort: the day proposed; a withdrawn run counts nowhere): runs, matters,
  resolved, closed, disclosures made and made on time; the amount is the matters' yuan in fen.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.tree import STEP

from .models import Council, Disclosure, DistrictRules, Matter, Run, RunStatus, Topic, TopicStatus
from .workflow import RUN_FLOW

COMMUNITY_DEPTH = 3
DEFAULT_TARGET = DistrictRules._meta.get_field("party_share_target").default


class CouncilFacts(facts.Subject):
    name = "deliberation.councils"
    model = Council
    stock = True
    cohort_field = "created_at"
    counts = ("councils", "representatives", "party_representatives", "below_target")
    fields = ("created_at", "area_path", "reps_count", "party_count")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        paths = dict(Council.objects.filter(pk__in=pks).values_list("pk", "area_path"))
        targets = dict(
            DistrictRules.objects.filter(district__path__in={p[:STEP] for p in paths.values()}).values_list(
                "district__path", "party_share_target"
            )
        )
        return {pk: targets.get(path[:STEP], DEFAULT_TARGET) for pk, path in paths.items()}

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        target = Decimal(extra if extra is not None else DEFAULT_TARGET)
        reps, party = row["reps_count"], row["party_count"]
        return facts.Part(
            day=timezone.localdate(row["created_at"]),
            area_path=row["area_path"],
            counts={
                "councils": 1,
                "representatives": reps,
                "party_representatives": party,
                "below_target": int(reps > 0 and party * 100 < target * reps),
            },
        )

    def follows(self) -> list[facts.Follow]:
        def councils_of_district(values: Mapping[str, Any]) -> list[int]:
            path = district_path(values["district_id"])
            return list(Council.objects.filter(area_path__startswith=path).values_list("pk", flat=True)) if path else []

        return [facts.Follow(DistrictRules, ("district_id", "party_share_target"), councils_of_district)]


def district_path(district_id: int) -> str:
    from dangjian.territory.models import Area

    return Area.objects.filter(pk=district_id).values_list("path", flat=True).first() or ""


class TopicFacts(facts.Subject):
    name = "deliberation.topics"
    model = Topic
    cohort_field = "submitted_at"
    counts = ("received", "accepted", "answered", "referred", "decided")
    dims = {"source": COMMUNITY_DEPTH}
    fields = ("submitted_at", "area_path", "status", "source")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        return facts.Part(
            day=timezone.localdate(row["submitted_at"]),
            area_path=row["area_path"],
            dims=(f"source:{row['source']}",),
            counts={
                "received": 1,
                "accepted": int(status in (TopicStatus.ACCEPTED, TopicStatus.DECIDED)),
                "answered": int(status == TopicStatus.ANSWERED),
                "referred": int(status == TopicStatus.REFERRED),
                "decided": int(status == TopicStatus.DECIDED),
            },
        )


RESOLVED = frozenset({RunStatus.RESOLVED, RunStatus.IMPLEMENTING, RunStatus.RESULT_PUBLISHED, RunStatus.CLOSED})


class RunFacts(facts.Subject):
    name = "deliberation.runs"
    model = Run
    cohort_field = "started_at"
    counts = ("runs", "matters", "resolved", "closed", "disclosures", "disclosures_on_time")
    amount = "fen"
    fields = ("started_at", "area_path", "status")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        """Matters and their amount, disclosures and those on time, per run (read from their rows:
        a matter is added after the run is created; `touches` records the run again)."""
        out: dict[int, list[Any]] = {pk: [0, Decimal(0), 0, 0] for pk in pks}
        for r in (
            Matter.objects.filter(run_id__in=pks)
            .values("run_id")
            .annotate(n=Count("pk"), total=Sum("amount"))
            .order_by()
        ):
            out[r["run_id"]][0:2] = [r["n"], Decimal(r["total"] or 0)]
        for r in (
            Disclosure.objects.filter(run_id__in=pks)
            .values("run_id")
            .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
            .order_by()
        ):
            out[r["run_id"]][2:4] = [r["n"], r["on_time"]]
        return out

    def touches(self) -> list[tuple[type, Any]]:
        return [(Matter, lambda m: m.run_id)]

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        status = row["status"]
        if status == RunStatus.WITHDRAWN:
            return None
        matters, amount, disclosed, on_time = extra or (0, Decimal(0), 0, 0)
        return facts.Part(
            day=timezone.localdate(row["started_at"]),
            area_path=row["area_path"],
            counts={
                "runs": 1,
                "matters": matters,
                "resolved": int(status in RESOLVED),
                "closed": int(status in RUN_FLOW.statuses(is_done=True)),
                "disclosures": disclosed,
                "disclosures_on_time": on_time,
            },
            amount=int(amount * 100),
        )


COUNCILS = facts.register(CouncilFacts())
TOPICS = facts.register(TopicFacts())
RUNS = facts.register(RunFacts())
