"""The service centres' menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import MANAGE_ROLES

register(
    NavItem("centers", _("服务中心"), "centers:list", "landmark", MANAGE_ROLES, order=300),
    NavItem("bookings", _("我的预约"), "centers:my_bookings", "calendar-clock", order=320),  # every signed-in role
)
