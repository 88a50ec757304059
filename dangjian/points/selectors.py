"""Reads of classified points: a member's ledger and years, and rankings over a community or organization."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import Rank

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.scoping import active_role, active_scope, prefix_q
from dangjian.core.search import name_or_pinyin_q
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area, Level

from .models import PointEntry, PointTotal

MAX_CHOICES = 300


def member_for_user(user: Any) -> Member | None:
    return Member.objects.filter(user_id=user.pk).select_related("home_community", "org__area").first()


# A member's entries of a year, newest first (core.keyset): points_entry_member_year, then a sort of the
# member's year (tens of rows).
ENTRY_ORDER = ("-occurred_at", "-pk")


def entries_for(member: Member, year: int) -> QuerySet[PointEntry]:
    return (
        PointEntry.objects.filter(member=member, year=year)
        .select_related("rule", "category", "created_by", "reverses__rule")
        .order_by(*ENTRY_ORDER)
    )


def years_for(member: Member, current: int) -> list[tuple[int, Decimal]]:
    """Every year the member has points in (and the current one), newest first, with the year's total."""
    rows = dict(PointTotal.objects.filter(member=member, category__isnull=True).values_list("year", "points"))
    rows.setdefault(current, Decimal(0))
    return sorted(rows.items(), reverse=True)


def ranking(*, year: int, category_id: int | None, area: Area | None = None, org: PartyOrg | None = None) -> QuerySet:
    """Members ranked by their points in `year` (one category, or all when None), among the members
    living in `area`'s subtree or held by an organization in `org`'s subtree. Ties share a rank."""
    qs = PointTotal.objects.filter(year=year)
    qs = qs.filter(category_id=category_id) if category_id else qs.filter(category__isnull=True)
    if area is not None:
        qs = qs.filter(prefix_q("member__home_community__path", area.path))
    elif org is not None:
        qs = qs.filter(prefix_q("member__org__path", org.path))
    else:
        return qs.none()
    return (
        qs.select_related("member__home_community", "member__org")
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("-points", "member__name", "member_id")
    )


def rank_of(member: Member, *, year: int, area: Area) -> int | None:
    """The member's rank among the members living in `area` (None: no points this year)."""
    mine = PointTotal.objects.filter(member=member, year=year, category__isnull=True).values_list("points", flat=True)
    points = mine.first()
    if points is None:
        return None
    ahead = PointTotal.objects.filter(
        prefix_q("member__home_community__path", area.path), year=year, category__isnull=True, points__gt=points
    ).count()
    return ahead + 1


# --- what a user may rank ------------------------------------------------------------------


def ranking_areas(user: Any) -> list[Area]:
    """The territory nodes a user may rank: a member their home community; a worker their own area and the
    communities and subdistricts under it."""
    if active_role(user) == Role.PARTY_MEMBER:
        member = member_for_user(user)
        if member is not None and member.home_community is not None:
            return [member.home_community]
        assignment = active_assignment(user)
        home = assignment.home_community if assignment else None
        return [home] if home is not None else []
    scope = active_scope(user)
    if not (scope.area_path or scope.everything):
        return []
    qs = Area.objects.visible_to(user).filter(
        level__in=[Level.DISTRICT, Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY]
    )
    return list(qs.order_by("path").only("public_id", "name", "path", "level", "depth")[:MAX_CHOICES])


def ranking_orgs(user: Any) -> list[PartyOrg]:
    if active_role(user) == Role.PARTY_MEMBER:
        return []
    return list(
        PartyOrg.objects.visible_to(user).order_by("path").only("public_id", "name", "path", "depth")[:MAX_CHOICES]
    )


def members_for_award(user: Any, query: str, limit: int = 20) -> list[Member]:
    """Members in the worker's scope matching a name (or its pinyin initials), for the hand-award form."""
    query = query.strip()
    if not query:
        return []
    qs = Member.objects.visible_to(user).filter(name_or_pinyin_q(query), status__in=ACTIVE_STATUSES)
    return list(qs.select_related("home_community", "org").order_by("name", "pk")[:limit])
