"""Who may do what in co-building: role sets and predicates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.scoping import scope_for
from dangjian.meetings.permissions import manages_area

# Who runs joint meetings, covenants, visits and estates (each within their territory).
MANAGE_ROLES = MANAGER_ROLES
# Who reads and acts on the tasks handed to a unit.
UNIT_ROLES = frozenset({Role.UNIT_CONTACT})
TASK_ROLES = MANAGER_ROLES | UNIT_ROLES
# Who may check in as a liaison (a liaison leader's account may hold any desk role).
LIAISON_ROLES = frozenset(set(Role) - {Role.RESIDENT})


def manages(actor: Any, area_path: str) -> bool:
    return manages_area(actor, area_path)


def require_manager(actor: Any, area_path: str, what: str) -> None:
    if not manages_area(actor, area_path):
        raise ValidationError(_("只有本属地的工作人员或上级管理员可以%(w)s。") % {"w": what})


def is_unit_contact(actor: Any, unit_id: int | None) -> bool:
    if actor is None or unit_id is None:
        return False
    scope = scope_for(actor)
    return scope.role == Role.UNIT_CONTACT and scope.unit_id == unit_id


def unit_contacts(unit_id: int) -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=Role.UNIT_CONTACT, unit_id=unit_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def area_workers(area_path: str) -> list[int]:
    """The desk people of the node itself (its community workers or subdistrict/district admins)."""
    return list(
        RoleAssignment.objects.filter(role__in=MANAGER_ROLES, area__path=area_path, is_active=True).values_list(
            "user_id", flat=True
        )
    )
