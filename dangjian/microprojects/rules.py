"""The rules a district holds its 民生微实事 to: its saved row, else the defaults (services and goods
≤ 20万元, works ≤ 50万元 per project; acceptance needs a photo and 3 residents' votes; 7 days' publicity)."""

from __future__ import annotations

from typing import Any

from dangjian.core.tree import STEP

from .models import DistrictRules


def district_rules(area: Any) -> DistrictRules:
    found = DistrictRules.objects.filter(district__path=area.path[:STEP]).first()
    return found or DistrictRules()


def review_rules(rules: DistrictRules) -> dict[str, Any]:
    """The keyword arguments of meetings.services.meeting_create that carry the review meeting's rules."""
    return {
        prefix: {k: getattr(rules, f"{prefix}_{k}") for k in ("num", "den", "strict", "base")}
        for prefix in ("quorum", "majority")
    }
