"""Who may do what with service centres, rooms, bookings and activities: role sets and predicates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role, scope_for

# Who manages centres, rooms, bookings and activities (each within their territory).
MANAGE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
# Who may book a room.
BOOK_ROLES = frozenset(
    {
        Role.RESIDENT,
        Role.PARTY_MEMBER,
        Role.UNIT_CONTACT,
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.SUBDISTRICT_ADMIN,
        Role.DISTRICT_ADMIN,
    }
)
# Who sets the ten-minute service circle's parameters.
CIRCLE_ROLES = frozenset({Role.DISTRICT_ADMIN})


def role_allows(actor: Any, roles: Iterable[str]) -> bool:
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return active_role(actor) in roles


def manages(actor: Any, center: Any) -> bool:
    """The system, a superuser, or a manager whose territory holds the centre."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    scope = scope_for(actor)
    return scope.role in MANAGE_ROLES and bool(scope.area_path) and center.area.path.startswith(scope.area_path or "-")


def manages_area(actor: Any, area: Any) -> bool:
    """The system, a superuser, or a manager whose territory holds `area` (activities, sign-ups)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    scope = scope_for(actor)
    return scope.role in MANAGE_ROLES and area.path.startswith(scope.area_path or "-")


def require_manager(actor: Any, center: Any) -> None:
    if not manages(actor, center):
        raise ValidationError(_("只有「%(c)s」所在辖区的管理员或社区工作者可以进行此操作。") % {"c": center.name})
