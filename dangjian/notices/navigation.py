"""The notices' menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import ISSUER_ROLES, RECIPIENT_ROLES

register(
    NavItem("notices", _("通知公告"), "notices:list", "megaphone", ISSUER_ROLES, order=125),
    NavItem("notice_figures", _("签收统计"), "notices:figures", "chart-bar", ISSUER_ROLES, order=185),
    NavItem("notice_mine", _("我的通知"), "notices:mine", "list", RECIPIENT_ROLES, order=126),
)
