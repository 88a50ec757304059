"""Who may act on whose account (reset the password, reveal the mobile, deactivate, change roles).

An administrator manages an account only when *every* role assignment it has (active or not: an
inactive one could be switched back on) lies inside the administrator's territory and ranks below
the administrator's own role. Holding one role in the area (a Party member living there) is not
enough: a district admin who lives in a subdistrict is not that subdistrict admin's to reset.
Accounts without any role, and superusers, are managed by superusers only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dangjian.core.scoping import prefix_q, scope_for

from .models import RoleAssignment, User
from .roles import ADMIN_ROLES, Role

# Higher manages lower, never equal: a subdistrict admin cannot reset a peer.
ROLE_RANK: dict[str, int] = {
    Role.DISTRICT_ADMIN: 40,
    Role.SUBDISTRICT_ADMIN: 30,
    Role.COMMUNITY_WORKER: 20,
    Role.DEPARTMENT_STAFF: 20,
    Role.GRID_WORKER: 10,
    Role.UNIT_CONTACT: 0,
    Role.PARTY_MEMBER: 0,
    Role.RESIDENT: 0,
}

# Every place an assignment is anchored to the territory, as the tree path of that anchor.
_ANCHORS = {
    "area": "area__path",
    "org": "org__area__path",
    "unit": "unit__community__path",
    "department": "department__area__path",
    "home_community": "home_community__path",
}


def _assignment_within_q(path: str, rank: int) -> Q:
    """Assignments anchored somewhere, with each anchor inside `path`, of a role ranked below `rank`."""
    lower = [role for role, r in ROLE_RANK.items() if r < rank]
    q = Q(role__in=lower) & ~Q(**{f"{field}__isnull": True for field in _ANCHORS})
    for field, path_field in _ANCHORS.items():
        q &= Q(**{f"{field}__isnull": True}) | prefix_q(path_field, path)
    return q


def manageable_users(actor: Any) -> QuerySet[User]:
    """The accounts `actor`, in their active role, may act on."""
    scope = scope_for(actor)
    if scope.everything:
        return User.objects.all()
    if scope.role not in ADMIN_ROLES or not scope.area_path:
        return User.objects.none()
    # Correlated per account (index on user_id), so checking one account never scans everyone's roles.
    roles = RoleAssignment.objects.filter(user=OuterRef("pk"))
    beyond = roles.exclude(_assignment_within_q(scope.area_path, ROLE_RANK[scope.role]))
    return User.objects.filter(Exists(roles), ~Exists(beyond), is_superuser=False)


def can_manage_account(actor: Any, target: Any) -> bool:
    return manageable_users(actor).filter(pk=target.pk).exists()


def get_manageable_or_404(actor: Any, public_id: Any) -> User:
    """The account with `public_id` when `actor` may act on it; 404 when missing, out of scope or above."""
    try:
        return manageable_users(actor).get(public_id=public_id)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
