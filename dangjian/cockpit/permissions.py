"""Who opens the cockpit (their own node and below) and who sets the district's targets."""

from dangjian.accounts.roles import Role

COCKPIT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
TARGET_ROLES = frozenset({Role.DISTRICT_ADMIN})
