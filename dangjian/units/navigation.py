"""The resident units menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import UNIT_ROLES, UNIT_VIEW_ROLES

register(
    NavItem("units", _("驻区单位"), "units:list", "building-2", frozenset(UNIT_VIEW_ROLES), order=260),
    NavItem("coverage", _("组建覆盖"), "units:coverage", "chart-pie", UNIT_ROLES, order=270),
)
