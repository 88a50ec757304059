"""What the territory tree adds to the figures store (core.figures.facts): a stock, read by the cockpit.

"territory.areas" places every node at its own path, so a node's facts count the subdistricts, zones,
communities and grids under it (itself included) as of any date: 001's "57 个社区划分为 613 个网格",
000's "130 个社区 473 个网格". A node is created by `area_create` or a grid import (a save: the store
follows it), moves by `area_move` (paths rewritten by update(), then `facts.record_bulk(Area, ...)`, which
records this subject for the moved subtree).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts

from .models import Area, Level

LEVEL_COUNTS = {
    Level.DISTRICT: "districts",
    Level.SUBDISTRICT: "subdistricts",
    Level.ZONE: "zones",
    Level.COMMUNITY: "communities",
    Level.GRID: "grids",
}


class AreaFacts(facts.Subject):
    name = "territory.areas"
    model = Area
    stock = True
    cohort_field = "created_at"
    counts = tuple(LEVEL_COUNTS.values())
    fields = ("created_at", "path", "level")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        counter = LEVEL_COUNTS.get(row["level"])
        if counter is None or not row["path"]:
            return None
        return facts.Part(day=timezone.localdate(row["created_at"] or now), area_path=row["path"], counts={counter: 1})


AREAS = facts.register(AreaFacts())
