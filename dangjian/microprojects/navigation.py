"""The 民生微实事 menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import CLAIM_ROLES, MANAGE_ROLES

register(NavItem("microprojects", _("民生微实事"), "microprojects:list", "clipboard-pen", MANAGE_ROLES, order=155))
register(
    NavItem(
        "microprojects_propose",
        _("微实事提议"),
        "microprojects:mine",
        "circle-plus",
        frozenset({Role.RESIDENT, Role.GRID_WORKER}),
        order=156,
    )
)
register(NavItem("microprojects_claims", _("双认领"), "microprojects:claims", "hand-helping", CLAIM_ROLES, order=157))
