"""Who may do what in volunteering: the role sets of its pages and the predicates of its writes.

Team activities are centres' activities, so the managers are the centres' (centers.permissions.MANAGE_ROLES)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.centers.permissions import MANAGE_ROLES
from dangjian.core.scoping import active_role, scope_for
from dangjian.territory.models import Area

# Who sees the volunteering pages.
VOLUNTEERING_ROLES = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.SUBDISTRICT_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.PARTY_MEMBER,
        Role.RESIDENT,
        Role.GRID_WORKER,
    }
)
# People who may join teams and serve at posts.
VOLUNTEER_ROLES = frozenset({Role.PARTY_MEMBER, Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_WORKER})


def is_manager(user: Any) -> bool:
    """A worker or admin (by role): offered the pages that create teams and posts."""
    return user.is_superuser or active_role(user) in MANAGE_ROLES


def manages(actor: Any, area: Area) -> bool:
    """A worker or admin whose scope covers `area`."""
    scope = scope_for(actor)
    if scope.everything:
        return True
    path = scope.area_path or ""
    return scope.role in MANAGE_ROLES and bool(path) and area.path.startswith(path)


def require_manager(actor: Any, area: Area) -> None:
    if actor is not None and not manages(actor, area):
        raise ValidationError(_("只有「%(a)s」所在辖区的社区工作者或管理员可以办理。") % {"a": area.name})


def may_volunteer(actor: Any) -> bool:
    """Joins teams and signs up for shifts in their own name."""
    return bool(getattr(actor, "is_superuser", False) or scope_for(actor).role in VOLUNTEER_ROLES)


def is_territorial(user: Any) -> bool:
    """Sees by territory (a worker or admin), not by their own teams and home community."""
    scope = scope_for(user)
    return scope.everything or bool(scope.area_path)
