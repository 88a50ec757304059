"""Who may do what with members, the household register and liaisons: the people app's role sets."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import ADMIN_ROLES, AREA_ROLES, Role
from dangjian.core.scoping import active_role

# Members: the organization departments' work (admins) and the community's. They also import
# and export members.
MEMBER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
# The household register: everyone working a piece of territory, grid workers first (also its
# import and export).
RESIDENT_ROLES = frozenset(AREA_ROLES)
LIAISON_ROLES = frozenset(AREA_ROLES)
LIAISON_ADMIN_ROLES = frozenset(ADMIN_ROLES)


def can_assign_liaisons(user: Any) -> bool:
    return bool(user.is_superuser or active_role(user) in LIAISON_ADMIN_ROLES)
