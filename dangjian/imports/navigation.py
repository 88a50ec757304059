"""The imports menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register
from dangjian.territory.permissions import TREE_ROLES

register(NavItem("imports", _("导入"), "imports:home", "upload", frozenset(TREE_ROLES), order=310))
