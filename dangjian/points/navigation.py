"""The points menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import AWARDING_ROLES, MEMBER_ROLES

register(
    NavItem("points_mine", _("我的积分"), "points:mine", "award", MEMBER_ROLES, order=80),
    NavItem("points_manage", _("积分管理"), "points:ranking", "award", AWARDING_ROLES, order=170),
)
