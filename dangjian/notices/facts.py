"""What a notice adds to the figures store (core.figures.facts): on the day it was published, at the
issuing node, one notice issued, its recipients, how many read it and how many signed. The sign rate
of a node and period is signed / recipients summed over its notices. A draft or a withdrawn notice adds
nothing. The receipt services record the notice again whenever its counters move (services.py)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Notice, NoticeStatus


class NoticeFacts(facts.Subject):
    name = "notices"
    model = Notice
    cohort_field = "published_at"
    counts = ("issued", "recipients", "read", "signed", "public")
    fields = ("published_at", "area_path", "status", "recipient_count", "read_count", "signed_count", "is_public")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["status"] != NoticeStatus.PUBLISHED or row["published_at"] is None:
            return None
        return facts.Part(
            day=timezone.localdate(row["published_at"]),
            area_path=row["area_path"],
            counts={
                "issued": 1,
                "recipients": row["recipient_count"],
                "read": row["read_count"],
                "signed": row["signed_count"],
                "public": int(row["is_public"]),
            },
        )


NOTICES = facts.register(NoticeFacts())
