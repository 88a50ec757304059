"""The demands menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import CLAIM_ROLES, DESK_ROLES

register(
    NavItem("demands_desk", _("需求派单"), "demands:desk", "send", DESK_ROLES, order=40),
    NavItem("demand_new", _("我要点单"), "demands:new", "circle-plus", frozenset({Role.RESIDENT}), order=50),
    NavItem("demand_board", _("认领需求"), "demands:board", "hand", CLAIM_ROLES, order=60),
    NavItem("demand_tasks", _("我的接单"), "demands:tasks", "list-checks", CLAIM_ROLES, order=70),
    NavItem("demand_mine", _("我的需求"), "demands:mine", "list", frozenset({Role.RESIDENT}), order=100),
    NavItem("demand_insight", _("服务清单"), "demands:figures", "chart-column", DESK_ROLES, order=180),
)
