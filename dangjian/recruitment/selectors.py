"""Reads of member development: everything through visible_to (404 for missing and out of scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core.keyset import CappedCount, capped_counts
from dangjian.orgs.models import BRANCHES, OfficerPost, OrgOfficer, PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member, MemberCategory

from .models import Recruit, Stage

BOARD_ORDER = ("next_due", "id")
SECRETARY_POSTS = [OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY]


def secretaries_of(org: PartyOrg) -> QuerySet:
    """The user ids of the branch's secretaries and deputy secretaries in post today."""
    today = timezone.localdate()
    return (
        OrgOfficer.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today),
            org=org,
            post__in=SECRETARY_POSTS,
            started_on__lte=today,
            user__isnull=False,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def recruits(user: Any) -> QuerySet[Recruit]:
    return Recruit.objects.visible_to(user)


def recruit_get(user: Any, public_id: Any) -> Recruit:
    found: Any = Recruit.objects.select_related(
        "org__area", "introducer_1", "introducer_2", "member", "user"
    ).get_for_user(user, public_id)
    return found


def branches(user: Any) -> QuerySet[PartyOrg]:
    """The branches whose pipeline `user` may run or see: by territory, or as an officer."""
    from dangjian.core.scoping import scope_for
    from dangjian.orgs.selectors import orgs_led_by

    scope = scope_for(user)
    qs: QuerySet[PartyOrg]
    if scope.everything or scope.area_path or scope.org_path:
        qs = PartyOrg.objects.visible_to(user)
    else:
        qs = orgs_led_by(user)
    return qs.filter(org_type__in=sorted(BRANCHES)).select_related("area").order_by("path")


def board(user: Any, *, stage: str, org: PartyOrg | None = None, query: str = "") -> QuerySet[Recruit]:
    """One stage of the board: an index walk on (org or area, status, next_due, id)."""
    qs = recruits(user).filter(status=stage)
    if org is not None:
        qs = qs.filter(org=org)
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.select_related("org")


def stage_counts(user: Any, *, org: PartyOrg | None = None, query: str = "") -> dict[str, CappedCount]:
    """Every stage tab's capped count, in one query."""
    return capped_counts(
        {s: board(user, stage=s, org=org, query=query) for s in Stage.values},
        orderings=dict.fromkeys(Stage.values, BOARD_ORDER),
    )


def introducer_choices(recruit: Recruit) -> QuerySet[Member]:
    """Full members on the books of the person's branch: who may introduce them."""
    return Member.objects.filter(org=recruit.org, category=MemberCategory.FULL, status__in=ACTIVE_STATUSES).order_by(
        "name", "pk"
    )[:200]
