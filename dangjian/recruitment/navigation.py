"""The member development menu entry (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .views import BOARD_ROLES

register(NavItem("recruitment", _("发展党员"), "recruitment:board", "user-check", BOARD_ROLES, order=132))
