"""Who may use the import pages, and who may export full personal values."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import AREA_ROLES, Role
from dangjian.core.scoping import active_role

# The import and export pages: every territorial role, for its own area.
IMPORT_ROLES = frozenset(AREA_ROLES)
# Roles whose work needs full ID numbers and mobiles; they still get masked values unless they ask.
FULL_VALUE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})


def may_see_full_values(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or active_role(user) in FULL_VALUE_ROLES
