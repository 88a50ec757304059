"""The co-building menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import MANAGE_ROLES

register(NavItem("cobuilding", _("共驻共建"), "cobuilding:home", "handshake", MANAGE_ROLES, order=147))
register(
    NavItem(
        "cobuilding_tasks", _("共建任务"), "cobuilding:tasks", "list-checks", frozenset({Role.UNIT_CONTACT}), order=148
    )
)
register(
    NavItem(
        "cobuilding_mine",
        _("我的包联"),
        "cobuilding:mine",
        "map",
        frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER}),
        order=149,
    )
)
