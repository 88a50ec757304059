"""What the home page shows to whom."""

from dangjian.accounts.roles import Role
from dangjian.territory.permissions import TREE_ROLES

# Roles whose home page sums up the area they work in (a superuser's too).
SUMMARY_ROLES = frozenset({*TREE_ROLES, "superuser"})
# Roles whose home page names the community they live in.
HOME_COMMUNITY_ROLES = frozenset({Role.PARTY_MEMBER, Role.RESIDENT})
