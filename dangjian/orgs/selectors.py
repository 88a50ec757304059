"""Reads of the organization tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import OfficerPost, OrgOfficer, OrgType, PartyOrg


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


def officer_posts(user: Any, *, on: Any = None) -> QuerySet[OrgOfficer]:
    """The committee posts `user` holds on day `on` (today by default)."""
    if not getattr(user, "is_authenticated", False):
        return OrgOfficer.objects.none()
    on = on or timezone.localdate()
    current = Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    return OrgOfficer.objects.filter(current, user=user, started_on__lte=on)


def orgs_led_by(user: Any, *, posts: set[str] | None = None, on: Any = None) -> QuerySet[PartyOrg]:
    """The organizations `user` sits on the committee of (any post, or only `posts`), e.g. the branches
    whose org life a secretary runs. Apps combine this with the territory scope of community workers."""
    held = officer_posts(user, on=on)
    if posts:
        held = held.filter(post__in=sorted(posts))
    return PartyOrg.objects.filter(pk__in=held.values("org_id"))


def is_secretary_of(user: Any, org: PartyOrg) -> bool:
    return officer_posts(user).filter(org=org, post__in=[OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY]).exists()


ORG_LIST_ORDER = ("path",)


def org_list(user: Any, **filters: Any) -> QuerySet[PartyOrg]:
    """The organizations in the user's scope, flat, filtered (orgs.filters): each with its area and
    the area's parent for the row's place."""
    from .filters import filter_q

    return PartyOrg.objects.visible_to(user).filter(filter_q(**filters)).select_related("area__parent")
