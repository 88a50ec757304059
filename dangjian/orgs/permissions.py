"""Who may do what with Party organizations and weak-organization cases: role sets and predicates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role

ADMINS: frozenset[str] = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
# Who works on weak-organization cases at all: admins, and the community workers of the org's community.
WEAK_ROLES: frozenset[str] = frozenset({*ADMINS, Role.COMMUNITY_WORKER})
FLAG_ROLES = ADMINS
ROLE_NAMES: dict[frozenset[str], str | Promise] = {
    ADMINS: gettext_lazy("区级或街道管理员"),
    WEAK_ROLES: gettext_lazy("区级、街道管理员或社区工作者"),
}


def role_allows(actor: Any, roles: Iterable[str]) -> bool:
    """The system (actor None) and superusers may do everything; a person acts in their active role."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return active_role(actor) in roles


def can_mark_done(actor: Any, step: Any) -> bool:
    """The responsible person, or an admin, may mark a step of a rectification plan done."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return step.responsible_id == actor.pk or active_role(actor) in ADMINS


def role_refusal(actor: Any, roles: frozenset[str], what: str) -> str | None:
    """Why the actor's active role may not do `what` (None: it may); names the roles that may."""
    if role_allows(actor, roles):
        return None
    role = active_role(actor)
    return _("您当前的身份（%(role)s）不能%(what)s，需由%(who)s操作。") % {
        "role": Role(role).label if role in Role.values else _("无角色"),
        "what": what,
        "who": ROLE_NAMES[roles],
    }
