"""The accounts menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .roles import ADMIN_ROLES

register(NavItem("users", _("账号"), "accounts:user_list", "user-cog", frozenset(ADMIN_ROLES), order=360))
