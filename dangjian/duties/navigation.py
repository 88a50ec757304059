"""The menu entries of duty lists and admission (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import REPLY_ROLES, SENDER_ROLES

register(NavItem("duties", _("清单与准入"), "duties:home", "scroll-text", SENDER_ROLES, order=135))
register(NavItem("duties_inbox", _("上级任务"), "duties:inbox", "list-checks", REPLY_ROLES, order=136))
