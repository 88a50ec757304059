"""The cases menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.navigation import NavItem, register

from .permissions import CLAIM_ROLES, DESK_ROLES, PATROL_ROLES, REPORTER_ROLES

register(
    NavItem("case_patrol", _("巡查上报"), "cases:patrol", "clipboard-pen", PATROL_ROLES, order=20),
    NavItem(
        "cases_desk",
        _("接诉即办"),
        "cases:list",
        "phone-call",
        DESK_ROLES,
        order=30,
    ),
    NavItem(
        "case_report",
        _("我要反映"),
        "cases:report",
        "message-square-warning",
        REPORTER_ROLES,
        order=90,
    ),
    NavItem("case_mine", _("我的诉求"), "cases:mine", "message-square-text", frozenset({Role.RESIDENT}), order=110),
    NavItem(
        "whistles",
        _("吹哨报到"),
        "cases:whistle_board",
        "megaphone",
        frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.DEPARTMENT_STAFF}),
        order=120,
    ),
    NavItem(
        "cases_claim",
        _("认领事件"),
        "cases:claim_board",
        "hand-helping",
        CLAIM_ROLES,
        order=190,
    ),
    NavItem("duty", _("权责清单"), "cases:duty_list", "scroll-text", MANAGER_ROLES, order=330),
    NavItem(
        "case_figures",
        _("办件统计"),
        "cases:figures",
        "chart-bar",
        frozenset({*MANAGER_ROLES, Role.DEPARTMENT_STAFF}),
        order=340,
    ),
)
