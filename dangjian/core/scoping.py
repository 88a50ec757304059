"""The one scoping mechanism: `Model.objects.visible_to(user)` and `get_for_user(user, public_id)`.

A signed-in user acts in the scope of their active role (resolved by the app that owns roles: accounts).
Each scoped model says, in `scope_q(scope)`, which of its rows a scope covers.
Anything outside the scope is answered like anything missing: 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """What one active role covers. Exactly one of the anchors is set (none for `everything`)."""

    role: str = ""
    everything: bool = False
    area_path: str | None = None  # a territory node's subtree
    area_level: str | None = None
    org_path: str | None = None  # an organization's subtree
    department_id: int | None = None
    unit_id: int | None = None
    user_id: int | None = None  # the person themselves

    @property
    def is_territorial(self) -> bool:
        return self.area_path is not None


NO_SCOPE = Scope()


ScopeResolver = Callable[[Any], Scope]
_resolver: ScopeResolver | None = None


def install_scope_resolver(resolver: ScopeResolver) -> None:
    """Set how a signed-in user's active role becomes a Scope.

    The accounts app, which owns role assignments, installs its resolver in its AppConfig.ready:
    core knows what a scope is, never where it comes from.
    """
    global _resolver
    _resolver = resolver


def active_scope(user: Any) -> Scope:
    """What the user's active role covers (NO_SCOPE without one). A superuser is not special here."""
    if _resolver is None or user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    return _resolver(user)


def acting_user(actor: Any) -> Any:
    """The signed-in user behind a service call, or None for the system (tasks, anonymous visitors)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def active_role(user: Any) -> str:
    """The role the user acts in now; "superuser" for a superuser without any role of their own."""
    role = active_scope(user).role
    if not role and getattr(user, "is_superuser", False):
        return "superuser"
    return role


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    if user.is_superuser:
        return Scope(role="superuser", everything=True)
    return active_scope(user)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScopedQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        model: Any = self.model  # every scoped model defines scope_q()
        return self.filter(model.scope_q(scope))

    def get_for_user(self, user: Any, public_id: Any, **lookups: Any) -> models.Model:
        try:
            return self.visible_to(user).get(public_id=public_id, **lookups)
        except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
            # A malformed id is as unknown as a missing one, and an out-of-scope one too.
            raise Http404 from exc


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def prefix_q(field: str, path: str | None) -> Q:
    """Rows whose tree path `field` lies in the subtree at `path` (nothing when there is no path)."""
    from .tree import subtree_q

    return subtree_q(field, path) if path else NOTHING
