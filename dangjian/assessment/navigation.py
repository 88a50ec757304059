"""Assessment's menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import READ_ROLES, VIEW_ROLES

register(
    NavItem("assessment", _("考核评议"), "assessment:home", "list-checks", READ_ROLES, order=133),
    # A stationed department reads its yearly appraisal: not daily work, so after its desk and bookings.
    NavItem(
        "assessment_department",
        _("部门考评"),
        "assessment:home",
        "list-checks",
        frozenset(VIEW_ROLES - READ_ROLES),
        order=705,
    ),
    NavItem("assessment_figures", _("考核统计"), "assessment:figures", "chart-bar", READ_ROLES, order=189),
    NavItem(
        "assessment_mine", _("我的述职"), "assessment:mine", "scroll-text", frozenset({Role.PARTY_MEMBER}), order=134
    ),
)
