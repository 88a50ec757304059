"""Who does what in assessment: the district (a district admin of the scheme's district) writes schemes,
enters manual scores, confirms and publishes; a secretary (书记 or 副书记 of the organization, whatever
role is active) submits the 述职; a panel member of the scheme scores the 述职 of sheets they can see.
Admins and community workers read the sheets of their territory. In 街长评议 the subdistrict admins are
the street chiefs who score the stationed departments, and a department reads its own sheet once
published."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.orgs.models import OfficerPost
from dangjian.orgs.selectors import orgs_led_by

READ_ROLES = MANAGER_ROLES
DISTRICT_ROLES = frozenset({Role.DISTRICT_ADMIN})
REPORT_ROLES = frozenset({*MANAGER_ROLES, Role.PARTY_MEMBER})
# a department reads its own published appraisal (街长评议) on the scheme and sheet pages
VIEW_ROLES = frozenset({*READ_ROLES, Role.DEPARTMENT_STAFF})
SHEET_ROLES = frozenset({*REPORT_ROLES, Role.DEPARTMENT_STAFF})
CHIEF_ROLES = frozenset({Role.SUBDISTRICT_ADMIN})
SECRETARY_POSTS: set[str] = {OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY}


def may_manage(user: Any, scheme: Any) -> bool:
    """The district that owns the scheme."""
    scope = scope_for(user)
    if scope.everything:
        return True
    path = scope.area_path or ""
    return scope.role in DISTRICT_ROLES and bool(path) and path[:STEP] == scheme.area_path


def may_create(user: Any) -> bool:
    scope = scope_for(user)
    return scope.everything or (scope.role in DISTRICT_ROLES and bool(scope.area_path))


def may_report(user: Any, sheet: Any) -> bool:
    """The organization's secretary or deputy secretary."""
    if user is None:
        return True
    return orgs_led_by(user, posts=SECRETARY_POSTS).filter(pk=sheet.org_id).exists()


def is_panel_member(user: Any, scheme: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return scheme.panel.filter(user=user).exists()


def may_chief_score(user: Any, sheet: Any) -> bool:
    """A street chief (街长: a subdistrict admin) scores the departments serving their subdistrict (those
    of the subdistrict itself and of the district above it)."""
    if not sheet.department_id or not getattr(user, "is_authenticated", False):
        return False
    if scope_for(user).role not in CHIEF_ROLES:
        return False
    from .models import Sheet

    return Sheet.objects.visible_to(user).filter(pk=sheet.pk).exists()
