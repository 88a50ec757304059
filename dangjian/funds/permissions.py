"""Who may do what with funds."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import scope_for
from dangjian.territory.models import Area

# The district's pages: overview, allocation entry and approval, settings.
DISTRICT_ROLES = frozenset({Role.DISTRICT_ADMIN})
# A community's (or subdistrict's) fund page and payment entry.
DESK_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})


def covers(actor: Any, area: Area) -> bool:
    scope = scope_for(actor)
    if scope.everything:
        return True
    return bool(scope.area_path) and area.path.startswith(scope.area_path or "")


def is_district_admin(actor: Any, district: Area) -> bool:
    scope = scope_for(actor)
    if scope.everything:
        return True
    own = scope.area_path or ""
    return scope.role == Role.DISTRICT_ADMIN and bool(own) and district.path.startswith(own)


def may_approve(actor: Any, allocation: Any) -> bool:
    """A district administrator of the allocation's district who did not enter it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.pk != allocation.entered_by_id and is_district_admin(actor, allocation.district)
