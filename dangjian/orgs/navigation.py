"""The organizations menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register
from dangjian.territory.permissions import TREE_ROLES

from .permissions import WEAK_ROLES

register(
    NavItem("orgs", _("党组织"), "orgs:tree", "flag", frozenset(TREE_ROLES), order=240),
    NavItem("weak_orgs", _("软弱涣散"), "orgs:weak_list", "triangle-alert", WEAK_ROLES, order=280),
)
