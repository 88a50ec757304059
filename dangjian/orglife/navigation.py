"""Org life's menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import OVERSEE_ROLES, RUN_ROLES

register(
    NavItem("orglife", _("组织生活"), "orglife:home", "calendar-clock", RUN_ROLES, order=127),
    NavItem("orglife_behind", _("滞后支部"), "orglife:behind", "triangle-alert", OVERSEE_ROLES, order=128),
    NavItem("orglife_guidance", _("重点动作指引"), "orglife:guidance_list", "scroll-text", RUN_ROLES, order=129),
    NavItem("orglife_figures", _("组织生活统计"), "orglife:figures", "chart-bar", OVERSEE_ROLES, order=188),
)
