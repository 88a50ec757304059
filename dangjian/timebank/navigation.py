"""The time bank's menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import HOLDER_ROLES, WORKER_ROLES

register(
    NavItem("timebank_mine", _("时间银行"), "timebank:mine", "hourglass", HOLDER_ROLES, order=150),
    NavItem("timebank_community", _("时间银行"), "timebank:community", "hourglass", WORKER_ROLES, order=160),
)
