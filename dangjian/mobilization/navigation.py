"""The mobilization menu entry (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import COMMAND_ROLES

register(
    NavItem(
        "mobilization",
        _("应急动员"),
        "mobilization:home",
        "triangle-alert",
        COMMAND_ROLES | {Role.PARTY_MEMBER},
        order=122,
    ),
)
