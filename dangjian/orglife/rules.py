"""The meeting rules in force: the defaults of the 中国共产党支部工作条例（试行）(2018), each replaceable by a
district's own row (admin)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from .models import MeetingRule

# The defaults live in migrations/0002_default_meeting_rules.py (rows): code reads rows, never constants.


def district_of_path(path: str) -> Area | None:
    if not path:
        return None
    return Area.objects.filter(path=path[:STEP], level=Level.DISTRICT).first()


def rules_for(district: Any) -> dict[str, MeetingRule]:
    """kind -> the rule in force in `district` (its own row, else the default), active or not."""
    district_id = getattr(district, "pk", district)
    rows = MeetingRule.objects.filter(Q(district__isnull=True) | Q(district_id=district_id)).order_by("order", "pk")
    chosen: dict[str, MeetingRule] = {}
    for rule in rows:
        if rule.kind not in chosen or rule.district_id is not None:
            chosen[rule.kind] = rule
    return dict(sorted(chosen.items(), key=lambda kv: (kv[1].order, kv[0])))


def rules_by_district(district_ids: set[int | None]) -> dict[int | None, dict[str, MeetingRule]]:
    """The rules of several districts in one query."""
    ids = {d for d in district_ids if d is not None}
    rows = list(MeetingRule.objects.filter(Q(district__isnull=True) | Q(district_id__in=ids)).order_by("order", "pk"))
    defaults = {r.kind: r for r in rows if r.district_id is None}
    out: dict[int | None, dict[str, MeetingRule]] = {None: dict(defaults)}
    for d in ids:
        own = {r.kind: r for r in rows if r.district_id == d}
        out[d] = {k: own.get(k, v) for k, v in defaults.items()} | {k: v for k, v in own.items() if k not in defaults}
    return out


def quorum_of(rule: MeetingRule) -> dict[str, Any]:
    """The quorum for `meetings.meeting_create` (0/1 "at least": a kind without a quorum)."""
    return {key: getattr(rule, f"quorum_{key}") for key in ("num", "den", "strict", "base")}
