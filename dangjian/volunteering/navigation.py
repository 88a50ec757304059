"""The volunteering menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import VOLUNTEERING_ROLES

register(NavItem("volunteering", _("志愿服务"), "volunteering:home", "heart-handshake", VOLUNTEERING_ROLES, order=140))
