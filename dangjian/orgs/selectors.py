"""Reads of the organization tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from .models import OrgType, PartyOrg


def subtree_counts_by_type(org: PartyOrg, *, include_self: bool = True) -> dict[str, int]:
    """How many organizations of each type are in `org`'s subtree, at any depth: one query."""
    rows = org.subtree(include_self=include_self).order_by().values_list("org_type").annotate(n=Count("pk"))
    return dict(rows)


def subtree_counts_labelled(org: PartyOrg) -> list[tuple[str, str, int]]:
    counts = subtree_counts_by_type(org, include_self=False)
    return [(t.value, str(t.label), counts[t.value]) for t in OrgType if counts.get(t.value)]


def org_roots_for(user: Any) -> list[PartyOrg]:
    """The topmost organizations the user can see (their visible set's shallowest nodes)."""
    visible = PartyOrg.objects.visible_to(user)
    top = visible.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    return list(visible.filter(depth=top).annotate(n_children=Count("children")).order_by("path"))


def children_of(org: PartyOrg, user: Any) -> list[PartyOrg]:
    return list(
        PartyOrg.objects.visible_to(user)
        .filter(parent=org)
        .annotate(n_children=Count("children"))
        .select_related("area")
        .order_by("path")
    )


def search(user: Any, query: str, *, limit: int = 30) -> list[PartyOrg]:
    from dangjian.core.search import name_or_pinyin_q

    return list(
        PartyOrg.objects.visible_to(user)
        .filter(name_or_pinyin_q(query, full_pinyin=True))
        .select_related("area")
        .order_by("path")[:limit]
    )
