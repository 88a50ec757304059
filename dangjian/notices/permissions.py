"""Who may issue and manage notices, and who reads them."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.scoping import active_role, active_scope

# District, subdistrict and community desks issue notices for the node their role is bound to.
ISSUER_ROLES = MANAGER_ROLES
# The roles the audiences reach (audience.py): they get 我的通知 in the menu. Anyone a notice reached
# reads it there whatever their active role (the list is the user's own); residents read public ones.
RECIPIENT_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.PARTY_MEMBER})


def may_manage(user: Any, notice: Any) -> bool:
    """The issuer's side: a desk role whose territory holds the issuing node."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if active_role(user) not in ISSUER_ROLES:
        return False
    path = active_scope(user).area_path
    return bool(path) and notice.area_path.startswith(path)


def issuing_area(user: Any) -> Any:
    """The node a desk role issues notices for (its own area), or None."""
    from dangjian.accounts.roles import active_assignment

    if active_role(user) not in ISSUER_ROLES:
        return None
    assignment = active_assignment(user)
    return assignment.area if assignment is not None else None
