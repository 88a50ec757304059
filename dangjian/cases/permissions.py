"""Who may do what with cases: every role set of the app, and the predicates built on them.

The parts a person plays in one case (dispatcher, owner, receiver...) are the workflow's business
(`workflow.CaseWorkflow.parties_for`); what they may read is `selectors`'."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role, active_scope

# Accept and dispatch the cases of their area (受理派单).
DISPATCH_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
# Supervise, decide extensions, escalate: the levels above a community.
SUPERVISE_ROLES = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
# The workbench: the case list and the internal case page.
DESK_ROLES = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.SUBDISTRICT_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.GRID_WORKER,
        Role.DEPARTMENT_STAFF,
    }
)
# The claim board of members and resident units (单位和党员主动认领).
CLAIM_ROLES = frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})
# Who reads figures and exports cases: the dispatcher roles for their territory, department staff for
# their department.
FIGURE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.DEPARTMENT_STAFF})
EXPORT_ROLES = FIGURE_ROLES
# Report from the phone, and read one's own reports.
REPORTER_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER})
# Report on patrol (人在网格走).
PATROL_ROLES = frozenset({Role.GRID_WORKER})
# The whistle boards (吹哨报到).
WHISTLE_BOARD_ROLES = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.DEPARTMENT_STAFF}
)
# Read the duty list (权责清单), edit it, and keep the workday calendar.
DUTY_READ_ROLES = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.DEPARTMENT_STAFF}
)
DUTY_EDIT_ROLES = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
CALENDAR_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
# Open311 API keys of the district.
API_KEY_ROLES = frozenset({Role.DISTRICT_ADMIN})


def is_desk(user: Any) -> bool:
    """Whether `user` works cases (sees the internal case page) in their active role."""
    return user.is_superuser or active_role(user) in DESK_ROLES


def may_dispatch(user: Any) -> bool:
    """Whether `user` accepts and dispatches cases (and so may enter one at the desk)."""
    return active_role(user) in DISPATCH_ROLES


def may_escalate_whistles(user: Any) -> bool:
    """Only the street chief (a subdistrict admin) escalates a whistle to the district."""
    return getattr(user, "is_superuser", False) or active_role(user) == Role.SUBDISTRICT_ADMIN


def may_edit_duty_list(user: Any, subdistrict: Any) -> bool:
    """A subdistrict admin edits their own subdistrict's list; a district admin every list below."""
    if getattr(user, "is_superuser", False):
        return True
    role, scope = active_role(user), active_scope(user)
    if role not in DUTY_EDIT_ROLES or not scope.area_path:
        return False
    if role == Role.SUBDISTRICT_ADMIN:
        return scope.area_path == subdistrict.path
    return subdistrict.path.startswith(scope.area_path)
