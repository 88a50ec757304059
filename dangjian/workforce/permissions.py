"""Who may do what with the workforce: role sets and predicates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.scoping import scope_for

# Who keeps the register, the reserve pool and training (each within their territory).
MANAGE_ROLES = MANAGER_ROLES
# Who keeps the ladders, runs the yearly step-up and approves it: the district's organization department.
LADDER_ROLES = frozenset({Role.DISTRICT_ADMIN})
# Who may check in to a training session by QR (a worker signed in with any of these roles).
CHECKIN_ROLES = frozenset(
    {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.PARTY_MEMBER}
)


def manages(actor: Any, area_path: str) -> bool:
    """The system, a superuser, or a manager whose territory holds the path."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    return scope.role in MANAGE_ROLES and bool(scope.area_path) and area_path.startswith(scope.area_path or "-")


def is_district_admin_of(actor: Any, area_path: str) -> bool:
    """A district admin whose district holds the path (or the system, or a superuser)."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    return scope.role in LADDER_ROLES and bool(scope.area_path) and area_path.startswith(scope.area_path or "-")


def require_manager(actor: Any, area_path: str) -> None:
    if not manages(actor, area_path):
        raise ValidationError(_("只有本辖区的社区工作者或上级管理员可以操作。"))


def require_district_admin(actor: Any, area_path: str) -> None:
    if not is_district_admin_of(actor, area_path):
        raise ValidationError(_("只有区委组织部（区级管理员）可以操作。"))
