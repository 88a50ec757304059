"""Roles, what each is bound to, and the active role of a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NO_SCOPE, Scope

if TYPE_CHECKING:
    from .models import RoleAssignment


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("街道管理员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    PARTY_MEMBER = "party_member", _("党员")
    UNIT_CONTACT = "unit_contact", _("驻区单位联络员")
    DEPARTMENT_STAFF = "department_staff", _("职能部门人员")
    RESIDENT = "resident", _("居民")


AREA_ROLES = {Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER}
ADMIN_ROLES = {Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN}
# The territory level each territorial role is bound to.
ROLE_AREA_LEVEL: dict[str, str] = {
    Role.DISTRICT_ADMIN: "district",
    Role.SUBDISTRICT_ADMIN: "subdistrict",
    Role.COMMUNITY_WORKER: "community",
    Role.GRID_WORKER: "grid",
}
# Roles that manage an area from the desk (the grid worker works in the field).
MANAGER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})

SESSION_KEY = "active_role"


def user_assignments(user: Any) -> list[RoleAssignment]:
    cached = getattr(user, "_role_assignments", None)
    if cached is None:
        from .models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user, is_active=True)
            .select_related("area", "org", "department", "unit", "home_community")
            .order_by("pk")
        )
        user._role_assignments = cached
    return cached


def _memo(user: Any) -> tuple[Any, Any, RoleAssignment | None, Scope | None] | None:
    """The request's memo of the active role: (its assignments list, the chosen id, the assignment,
    its scope), good while both keys are unchanged. Switching role (a new active_role_id) or reloading
    the assignments (a new list in user._role_assignments) invalidates it."""
    memo: Any = getattr(user, "_active_role_memo", None)
    fresh = memo is not None and memo[0] is getattr(user, "_role_assignments", None)
    return memo if fresh and memo[1] == getattr(user, "active_role_id", None) else None


def active_assignment(user: Any) -> RoleAssignment | None:
    """The role the user acts in now: the one chosen in this session, else their first. Looked up once
    per request (memoized on the user object the request carries; see _memo)."""
    if not getattr(user, "is_authenticated", False):
        return None
    memo = _memo(user)
    if memo is not None:
        return memo[2]
    assignments = user_assignments(user)
    chosen = getattr(user, "active_role_id", None)
    found = next((a for a in assignments if a.pk == chosen), assignments[0] if assignments else None)
    user._active_role_memo = (assignments, chosen, found, None)
    return found


def assignment_scope(user: Any) -> Scope:
    """The scope of the user's active assignment: installed as core's scope resolver (see apps.py)."""
    memo = _memo(user)
    if memo is not None and memo[3] is not None:
        return memo[3]
    assignment = active_assignment(user)
    scope = assignment.to_scope() if assignment else NO_SCOPE
    if getattr(user, "is_authenticated", False):
        memo = user._active_role_memo
        user._active_role_memo = (memo[0], memo[1], memo[2], scope)
    return scope
