"""The cockpit's menu entry (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import COCKPIT_ROLES

register(NavItem("cockpit", _("驾驶舱"), "cockpit:home", "chart-pie", COCKPIT_ROLES, order=335))
