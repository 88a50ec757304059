"""Who issues call-ups, who commands them, who answers."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import ADMIN_ROLES, MANAGER_ROLES, Role, active_assignment
from dangjian.core.scoping import active_role, active_scope

# A district or a subdistrict issues a call-up for its own node.
ISSUER_ROLES = frozenset(ADMIN_ROLES)
# The desks that command what lies in their territory: district, subdistrict, community.
COMMAND_ROLES = frozenset(MANAGER_ROLES)
# Whoever is called answers, places themselves on nothing, reports their tasks and visits.
FIELD_ROLES = frozenset({Role.PARTY_MEMBER, Role.RESIDENT, Role.UNIT_CONTACT, *MANAGER_ROLES, Role.GRID_WORKER})


def issuing_area(user: Any) -> Any:
    """The district or subdistrict a desk role issues call-ups for, or None."""
    if active_role(user) not in ISSUER_ROLES:
        return None
    assignment = active_assignment(user)
    return assignment.area if assignment is not None else None


def commands(user: Any, path: str) -> bool:
    """A desk role whose territory holds `path` (a grid, a community, a call-up's node)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if active_role(user) not in COMMAND_ROLES:
        return False
    mine = active_scope(user).area_path
    return bool(mine) and path.startswith(mine or "")


def may_end(user: Any, callup: Any) -> bool:
    """The issuer's side ends a call-up: a desk whose territory holds the issuing node."""
    return commands(user, callup.area_path) and (
        getattr(user, "is_superuser", False) or active_role(user) in ISSUER_ROLES
    )
