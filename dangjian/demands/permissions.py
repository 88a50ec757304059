"""Who may do what in the demand loop: the role sets and the predicates of who someone is to a demand.

The parties of the workflow (demands.workflow.DemandWorkflow.parties_for) are read from these."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import acting_user, active_role, active_scope
from dangjian.people.models import Member
from dangjian.territory.models import Area
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import AssigneeKind, Demand

# Community workers and admins: the desk, and demands entered for someone (代录).
WORKER_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
DESK_ROLES = WORKER_ROLES
# Who may file a demand for themselves from the phone.
REQUESTER_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER})
NEW_ROLES = frozenset({*REQUESTER_ROLES, *WORKER_ROLES})
# Who reads the figures and the yearly records.
FIGURE_ROLES = WORKER_ROLES
# Who sees the claim board (team leaders too, whatever their role).
CLAIM_ROLES = frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})


def home_community_id(user: Any) -> int | None:
    """The community a member or resident lives in: their role's, else their member record's."""
    from dangjian.accounts.models import RoleAssignment

    home = (
        RoleAssignment.objects.filter(user=user, role__in=REQUESTER_ROLES, is_active=True, home_community__isnull=False)
        .order_by("pk")
        .values_list("home_community_id", flat=True)
        .first()
    )
    if home is None:
        home = Member.objects.filter(user=user).values_list("home_community_id", flat=True).first()
    return home


def led_teams(user: Any, community: Area) -> Any:
    """Active teams `user` leads in `community` (the community's own or one of its grids)."""
    return Team.objects.filter(leader=user, is_active=True, area__path__startswith=community.path).select_related(
        "area"
    )


def is_desk(user: Any) -> bool:
    return user.is_superuser or active_role(user) in DESK_ROLES


def may_use_board(user: Any) -> bool:
    return active_role(user) in CLAIM_ROLES or Team.objects.filter(leader=user, is_active=True).exists()


def may_claim(user: Any, demand: Demand) -> bool:
    """A member living in the demand's community, a unit contact of a unit there, or a team leader there."""
    if acting_user(user) is None:
        return False
    role, scope = active_role(user), active_scope(user)
    if role == Role.UNIT_CONTACT:
        unit_id = scope.unit_id
        return (
            unit_id is not None and ResidentUnit.objects.filter(pk=unit_id, community_id=demand.community_id).exists()
        )
    if role == Role.PARTY_MEMBER and home_community_id(user) == demand.community_id:
        return True
    return led_teams(user, demand.community).exists()


def is_assignee(user: Any, demand: Demand) -> bool:
    if acting_user(user) is None or not demand.assignee_kind:
        return False
    if demand.assignee_kind == AssigneeKind.UNIT:
        scope = active_scope(user)
        return active_role(user) == Role.UNIT_CONTACT and scope.unit_id == demand.assigned_unit_id
    if demand.assignee_kind == AssigneeKind.TEAM:
        team = demand.assigned_team
        return demand.assigned_user_id == user.pk or (team is not None and team.leader_id == user.pk)
    return demand.assigned_user_id == user.pk


def is_worker(user: Any, demand: Demand) -> bool:
    if acting_user(user) is None:
        return False
    if user.is_superuser:
        return True
    path = active_scope(user).area_path or ""
    return active_role(user) in WORKER_ROLES and bool(path) and demand.area_path.startswith(path)
