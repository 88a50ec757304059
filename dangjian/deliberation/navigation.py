"""The deliberation menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import MANAGE_ROLES

register(NavItem("deliberation", _("议事协商"), "deliberation:home", "landmark", MANAGE_ROLES, order=145))
register(
    NavItem(
        "deliberation_topics",
        _("我要议事"),
        "deliberation:topics",
        "message-square-text",
        frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.GRID_WORKER}),
        order=146,
    )
)
