"""Who runs a branch's org life: a Party member who sits on its committee (an `orgs.OrgOfficer`), a
community worker whose community holds it, an admin whose subdistrict or district holds it.
`branches_run_by(user)` is the one predicate; dues and member development reuse it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.scoping import prefix_q, scope_for
from dangjian.orgs.models import BRANCHES, PartyOrg
from dangjian.orgs.selectors import orgs_led_by

RUN_ROLES = frozenset({*MANAGER_ROLES, Role.PARTY_MEMBER})
OVERSEE_ROLES = MANAGER_ROLES
GUIDANCE_ROLES = frozenset({Role.DISTRICT_ADMIN})


def branches_run_by(user: Any) -> QuerySet[PartyOrg]:
    """The branches whose org life `user` (in their active role) may plan and record."""
    base = PartyOrg.objects.filter(org_type__in=sorted(BRANCHES))
    if user is None:
        return base
    if not getattr(user, "is_authenticated", False):
        return base.none()
    scope = scope_for(user)
    if scope.everything:
        return base
    if scope.role in MANAGER_ROLES and scope.area_path:
        return base.filter(prefix_q("area__path", scope.area_path))
    if scope.role == Role.PARTY_MEMBER:
        return base.filter(pk__in=orgs_led_by(user).values("pk"))
    return base.none()


def may_run(user: Any, org: PartyOrg) -> bool:
    if user is None:
        return True
    return branches_run_by(user).filter(pk=org.pk).exists()


def may_oversee(user: Any) -> bool:
    """Community committees and admins: the figures, the branches behind, the exports."""
    scope = scope_for(user)
    return scope.everything or (scope.role in OVERSEE_ROLES and bool(scope.area_path))


def may_publish_guidance(user: Any) -> bool:
    scope = scope_for(user)
    return scope.everything or scope.role in GUIDANCE_ROLES
