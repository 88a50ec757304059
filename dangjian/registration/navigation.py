"""The registration menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import REGISTRANT_ROLES, WORKER_ROLES

register(
    NavItem("registration", _("双报到"), "registration:home", "user-check", WORKER_ROLES | REGISTRANT_ROLES, order=130),
)
