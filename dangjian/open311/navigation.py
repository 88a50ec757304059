"""The Open311 menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.cases.permissions import API_KEY_ROLES
from dangjian.core.navigation import NavItem, register

register(NavItem("open311_clients", _("接口密钥"), "open311:clients", "key-round", API_KEY_ROLES, order=350))
