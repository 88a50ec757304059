"""Who may do what in dual registration (双报到): the role sets and the predicates, in one place."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role, active_scope

# Community workers, subdistrict and district admins read registrations (each within their territory).
WORKER_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
# Roles that act for the community on a registration (its own community only).
DECIDING_ROLES = frozenset({Role.COMMUNITY_WORKER})
LINK_ROLES = WORKER_ROLES  # each within their own territory
# Who registers: an in-service member for themselves, a unit contact for the unit's Party organization.
REGISTRANT_ROLES = frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})


def acts_for_community(actor: Any, registration: Any) -> bool:
    """A community worker whose territory holds the registration."""
    from .models import Registration

    return (
        active_role(actor) in DECIDING_ROLES
        and Registration.objects.visible_to(actor).filter(pk=registration.pk).exists()
    )


def is_registrant(actor: Any, registration: Any) -> bool:
    """The member's own account, or the contact of the unit that registered."""
    is_member = registration.member is not None and registration.member.user_id == actor.pk
    is_unit = registration.unit_id is not None and active_scope(actor).unit_id == registration.unit_id
    return is_member or is_unit


def can_decide(user: Any) -> bool:
    """Whether the desk shows the decision buttons (each step still checks the registration)."""
    return user.is_superuser or active_role(user) in DECIDING_ROLES
