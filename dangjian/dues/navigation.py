"""The dues menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import BRANCH_ROLES, FIGURE_ROLES, MEMBER_ROLES

register(
    NavItem("dues_mine", _("我的党费"), "dues:mine", "landmark", MEMBER_ROLES, order=152),
    NavItem("dues_branches", _("党费收缴"), "dues:branches", "landmark", BRANCH_ROLES, order=162),
    NavItem("dues_figures", _("党费统计"), "dues:figures", "chart-column", FIGURE_ROLES, order=187),
)
