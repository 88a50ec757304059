"""Who may do what with resident units, coverage, committees and alliances: the units app's role sets."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role

# Units, coverage, committees and alliances are managed at the desk (and imported and exported).
UNIT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
# A unit's contact sees their own unit.
UNIT_VIEW_ROLES = UNIT_ROLES | {Role.UNIT_CONTACT}
# The coverage rules (thresholds) are the district's to set.
RULE_ROLES = frozenset({Role.DISTRICT_ADMIN})


def can_edit_units(user: Any) -> bool:
    return bool(user.is_superuser or active_role(user) in UNIT_ROLES)


def can_edit_rules(user: Any) -> bool:
    return bool(user.is_superuser or active_role(user) in RULE_ROLES)
