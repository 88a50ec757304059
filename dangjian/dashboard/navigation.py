"""The dashboard's menu entry (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

register(NavItem("home", _("首页"), "dashboard:home", "house", order=10))
