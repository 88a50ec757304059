"""What member development adds to the figures store (core.figures.facts), read by the figures page.

- recruitment.pipeline (a stock: who is in each stage as of a date), at the branch's territory node;
- recruitment.spans (cohort: the day a person left a stage): per stage (dim `stage:<code>`) how many
  left it, the days they spent in it (the average is days / spans) and the duration buckets in months
  (the store's own hour buckets end at 30 days: a stage lasts months).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Recruit, Stage, StageSpan

STAGES = tuple(Stage.values)
COMMUNITY_DEPTH = 3
# Upper edges (in days) of the month buckets: < 3 months, 3–6, 6–12, 12–18, 18–24, 24 and more.
MONTH_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("lt3m", 91),
    ("m3_6", 183),
    ("m6_12", 365),
    ("m12_18", 548),
    ("m18_24", 730),
    ("m24plus", None),
)


class PipelineFacts(facts.Subject):
    name = "recruitment.pipeline"
    model = Recruit
    stock = True
    cohort_field = "created_at"
    counts = ("people", *STAGES)
    fields = ("created_at", "area_path", "status")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area_path"],
            counts={"people": 1, row["status"]: 1},
        )


def bucket(days: int) -> str:
    return next(name for name, edge in MONTH_BUCKETS if edge is None or days < edge)


class SpanFacts(facts.Subject):
    name = "recruitment.spans"
    model = StageSpan
    cohort_field = "at"
    counts = ("spans", "days", *(name for name, _ in MONTH_BUCKETS))
    dims = {"stage": COMMUNITY_DEPTH}
    fields = ("at", "left_on", "entered_on", "area_path", "stage")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        days = (row["left_on"] - row["entered_on"]).days
        return facts.Part(
            day=row["left_on"],
            area_path=row["area_path"],
            dims=(f"stage:{row['stage']}",),
            counts={"spans": 1, "days": days, bucket(days): 1},
        )


PIPELINE = facts.register(PipelineFacts())
SPANS = facts.register(SpanFacts())
