"""Who may do what with duty lists, admission and tasks sent down: role sets and predicates."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import Scope, scope_for
from dangjian.core.tree import STEP

from .models import scope_path

# Who reads the lists, admission requests and tasks (each within their scope).
READ_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.DEPARTMENT_STAFF, Role.COMMUNITY_WORKER})
# Who keeps drafts of lists (the district any list of the district, a subdistrict its own and its communities').
LIST_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
# Who asks for admission and sends tasks down: departments and the offices of the district and subdistricts.
SENDER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.DEPARTMENT_STAFF})
# Who replies to a task for a community.
REPLY_ROLES = frozenset({Role.COMMUNITY_WORKER})


def _holds(actor: Any, roles: frozenset[str], path: str) -> bool:
    return True if actor is None else scope_holds(scope_for(actor), roles, path)


def scope_holds(scope: Scope, roles: frozenset[str], path: str) -> bool:
    if scope.everything:
        return True
    own = scope.area_path
    return scope.role in roles and bool(own) and path.startswith(own or "-")


def keeps_list(actor: Any, path: str) -> bool:
    """A district or subdistrict admin whose area holds the list's owner."""
    return _holds(actor, LIST_ROLES, path)


def is_district_admin_of(actor: Any, path: str) -> bool:
    """A district admin of the district the path lies in (they approve lists and admission)."""
    return _holds(actor, frozenset({Role.DISTRICT_ADMIN}), path[:STEP])


def sends_from(actor: Any, task: Any) -> bool:
    """The task's sender: its department's staff, or an admin whose area holds the sender's node."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    if scope.role == Role.DEPARTMENT_STAFF:
        return task.sender_department_id is not None and task.sender_department_id == scope.department_id
    return scope.role in LIST_ROLES and bool(scope.area_path) and task.area_path.startswith(scope.area_path)


def replies_for(actor: Any, reply: Any) -> bool:
    """A community worker of the reply's community."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    return scope.role in REPLY_ROLES and bool(scope.area_path) and reply.area_path.startswith(scope.area_path)


def acting_path(actor: Any) -> str | None:
    return scope_path(scope_for(actor)) if actor is not None else None
