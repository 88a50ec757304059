"""The record archived when a call-up ends: its totals (from the figures store), the honours list and
the temporary organization with its members and meetings. The end-of-deployment PDF renders the same."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dangjian.meetings.models import Meeting

from ..models import CallUp, Placement, TempOrgMember


def archive_of(callup: CallUp) -> dict[str, Any]:
    from ..selectors import honours, situation

    total, children = situation(callup, callup.area)
    figures = {
        k: getattr(total, k)
        for k in ("called", "answered", "available", "declined", "placed", "wanted", "listed", "visited")
        + ("excused", "pending", "needs", "met", "tasks", "open", "done")
    }
    figures["hours"] = str(total.hours)
    grids = dict(Placement.objects.filter(callup=callup).values_list("call_id", "grid__name"))
    org: dict[str, Any] = {}
    if callup.temp_org_id is not None and callup.temp_org is not None:
        org = {
            "name": callup.temp_org.name,
            "type": callup.temp_org.get_org_type_display(),
            "members": [
                {"name": m.member.name, "home_org": m.home_org_name}
                for m in TempOrgMember.objects.filter(callup=callup).select_related("member")
            ],
            "meetings": [
                {"title": m.title, "at": timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M")}
                for m in Meeting.objects.filter(owner_key=f"mobilization:{callup.public_id}").order_by("starts_at")
            ],
        }
    return {
        "archived_at": timezone.now().isoformat(),
        "figures": figures,
        "by_child": [
            {"name": c.node.name, "placed": c.placed, "wanted": c.wanted, "visited": c.visited} for c in children
        ],
        "honours": [{"name": c.name, "grid": grids.get(c.pk, ""), "hours": str(c.hours)} for c in honours(callup)],
        "org": org,
    }
