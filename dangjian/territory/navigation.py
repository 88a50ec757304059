"""The territory menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import TREE_ROLES

register(
    NavItem("territory", _("属地"), "territory:tree", "network", frozenset(TREE_ROLES), order=230),
    NavItem("map", _("地图"), "territory:map_home", "map", frozenset(TREE_ROLES), order=250),
)
