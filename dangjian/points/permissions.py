"""Who may do what with points: the role sets of the pages and the predicates of the writes."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role

# A member's own points.
MEMBER_ROLES = frozenset({Role.PARTY_MEMBER})
# Roles that award by hand and correct entries (each within their own scope).
AWARDING_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
# Roles that edit a district's rules.
RULE_ROLES = frozenset({Role.DISTRICT_ADMIN})
# Roles that see a ranking (a member their home community's; a worker their area's).
RANKING_ROLES = frozenset({Role.PARTY_MEMBER, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})


def may_edit_rules(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or active_role(user) in RULE_ROLES)


def may_award(user: Any) -> bool:
    """By role; whether the member is in the user's scope is checked where a member is named."""
    return bool(getattr(user, "is_superuser", False) or active_role(user) in AWARDING_ROLES)
