"""Hand-built demands, members and teams for the insight tests (suggestions, lists, records,
figures, reminders). Rows are written directly: these tests check what is read from the loop,
not the loop's own steps."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.people.models import Member, MemberStatus
from dangjian.registration.models import Registration, RegistrationStatus, ServiceIntention
from dangjian.territory.models import Area

from ..models import AssigneeKind, Demand, DemandKind, DemandStatus, NeedCategory

_counter = {"n": 0}


def category(name: str = "助老助残", skills: list[str] | None = None) -> NeedCategory:
    """A default need category met by `skills` (default: the skill of the same name)."""
    need = NeedCategory.objects.get_or_create(district=None, name=name)[0]
    need.skills.set(
        [ServiceIntention.objects.get_or_create(district=None, name=skill)[0] for skill in (skills or [name])]
    )
    return need


def member(
    name: str,
    *,
    community: Area,
    estate: Any = None,
    building: Any = None,
    status: str = MemberStatus.IN_SERVICE,
    account: bool = True,
    skills: list[str] | None = None,
    registered_at: Area | None = None,
    org: Any = None,
) -> Member:
    _counter["n"] += 1
    user = make_user(f"m{_counter['n']}", "party_member", home_community=community) if account else None
    if org is None:
        from dangjian.orgs.models import PartyOrg

        org = PartyOrg.objects.filter(area=community).order_by("pk").first() or PartyOrg.objects.order_by("pk").first()
    m = Member.objects.create(
        org=org,
        name=name,
        status=status,
        home_community=community,
        home_estate=estate,
        home_building=building,
        user=user,
    )
    if skills is not None or registered_at is not None:
        Registration.objects.create(
            kind="member",
            community=registered_at or community,
            member=m,
            status=RegistrationStatus.CONFIRMED,
            skills=skills or [],
            decided_at=timezone.now(),
        )
    return m


def demand(
    *,
    community: Area,
    title: str = "帮忙买菜",
    status: str = DemandStatus.SUBMITTED,
    kind: str = DemandKind.MICRO_WISH,
    category_obj: NeedCategory | None = None,
    estate: Any = None,
    building: Any = None,
    grid: Area | None = None,
    assigned_member: Member | None = None,
    assigned_unit: Any = None,
    assigned_team: Any = None,
    rating: int | None = None,
    hours: str | None = None,
    submitted_at: datetime.datetime | None = None,
    done_at: datetime.datetime | None = None,
    requester: Any = None,
    **extra: Any,
) -> Demand:
    kind_of_assignee = ""
    assigned_user = None
    if assigned_member is not None:
        kind_of_assignee, assigned_user = AssigneeKind.MEMBER, assigned_member.user
    elif assigned_unit is not None:
        kind_of_assignee = AssigneeKind.UNIT
    elif assigned_team is not None:
        kind_of_assignee, assigned_user = AssigneeKind.TEAM, assigned_team.leader
    d = Demand.objects.create(
        kind=kind,
        title=title,
        category=category_obj,
        community=community,
        estate=estate,
        building=building,
        grid=grid,
        area_path=(grid or community).path,
        requester=requester,
        requester_name="王阿姨",
        requester_phone="13800001234",
        status=status,
        assignee_kind=kind_of_assignee,
        assigned_member=assigned_member,
        assigned_user=assigned_user,
        assigned_unit=assigned_unit,
        assigned_team=assigned_team,
        rating=rating,
        hours=Decimal(hours) if hours is not None else None,
        done_at=done_at,
        **extra,
    )
    if submitted_at is not None:
        Demand.objects.filter(pk=d.pk).update(submitted_at=submitted_at)
        d.refresh_from_db()
    return d
