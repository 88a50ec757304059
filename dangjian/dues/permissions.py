"""Who may act for a branch's dues: its officers (members holding a post in its committee, through
`orgs.selectors.orgs_led_by`), community workers of the territory that holds it and the admins above
them (their scope). A member sees and pays only their own dues."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.roles import Role
from dangjian.core.scoping import scope_for
from dangjian.orgs.models import PartyOrg
from dangjian.orgs.selectors import orgs_led_by

# The branch pages: workers and admins by scope, Party members who are officers of a branch.
BRANCH_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.PARTY_MEMBER})
# The figures and exports (by territory).
FIGURE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
# A member's own dues page.
MEMBER_ROLES = frozenset({Role.PARTY_MEMBER})


def orgs_acted_for(user: Any) -> QuerySet[PartyOrg]:
    """Organizations whose dues `user` records: those in the scope of a worker's or admin's role, and
    those whose committee the user sits on (whatever role is active)."""
    scope = scope_for(user)
    if scope.everything:
        return PartyOrg.objects.all()
    led = orgs_led_by(user).values("pk")
    if scope.area_path or scope.org_path:
        return PartyOrg.objects.filter(Q(pk__in=PartyOrg.objects.visible_to(user).values("pk")) | Q(pk__in=led))
    return PartyOrg.objects.filter(pk__in=led)


def acts_for(user: Any, org: PartyOrg) -> bool:
    return orgs_acted_for(user).filter(pk=org.pk).exists()
