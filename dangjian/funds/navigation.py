"""经费管理 menu entries (see core.navigation)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import DESK_ROLES, DISTRICT_ROLES

register(
    NavItem("funds", _("经费管理"), "funds:overview", "landmark", DESK_ROLES, order=172),
    NavItem("funds_allocations", _("经费拨付审批"), "funds:allocations", "list-checks", DISTRICT_ROLES, order=173),
    NavItem("funds_figures", _("经费统计"), "funds:figures", "chart-bar", DESK_ROLES, order=186),
    NavItem("funds_settings", _("经费类别与保底"), "funds:settings", "settings", DISTRICT_ROLES, order=174),
)
