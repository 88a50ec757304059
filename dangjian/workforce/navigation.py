"""The workforce menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import MANAGE_ROLES

register(NavItem("workforce", _("社工队伍"), "workforce:home", "id-card", MANAGE_ROLES, order=192))
register(
    NavItem(
        "workforce_mine",
        _("我的培训"),
        "workforce:mine",
        "user-check",
        frozenset({Role.COMMUNITY_WORKER, Role.GRID_WORKER}),
        order=372,
    )
)
