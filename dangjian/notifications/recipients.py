"""Who holds a role somewhere: what the workflows' `recipients` hooks resolve their names with ("the
department's staff", "the community's workers", "the admins above this area"). Each answer is one
query of user ids through the role assignments (accounts), active users and assignments only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.core.tree import ancestor_paths


def _ids(q: Q, roles: Iterable[str]) -> QuerySet:
    return (
        RoleAssignment.objects.filter(q, role__in=list(roles), is_active=True, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def department_staff(department_id: int | None) -> list[int]:
    if not department_id:
        return []
    return list(_ids(Q(department_id=department_id), [Role.DEPARTMENT_STAFF]))


def departments_staff(department_ids: Iterable[int]) -> list[int]:
    ids = [d for d in department_ids if d]
    return list(_ids(Q(department_id__in=ids), [Role.DEPARTMENT_STAFF])) if ids else []


def unit_contacts(unit_id: int | None) -> list[int]:
    if not unit_id:
        return []
    return list(_ids(Q(unit_id=unit_id), [Role.UNIT_CONTACT]))


def area_staff(area_path: str | None, roles: Iterable[str]) -> list[int]:
    """Holders of `roles` bound exactly to the area at `area_path` (a community's workers...)."""
    if not area_path:
        return []
    return list(_ids(Q(area__path=area_path), roles))


def community_workers(area_path: str | None) -> list[int]:
    return area_staff(area_path, [Role.COMMUNITY_WORKER])


def admins_above(
    area_path: str | None, roles: Iterable[str] = (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN)
) -> list[int]:
    """Admins whose area holds `area_path` (its subdistrict's and its district's)."""
    if not area_path:
        return []
    paths = [*ancestor_paths(area_path), area_path]
    return list(_ids(Q(area__path__in=paths), roles))


def users(*ids: int | None) -> list[int]:
    return [i for i in ids if i]
