"""The people menu entries (see core.navigation; `order` places them among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

from .permissions import LIAISON_ROLES, MEMBER_ROLES, RESIDENT_ROLES

register(
    NavItem("residents", _("居民"), "people:resident_home", "users", frozenset(RESIDENT_ROLES), order=200),
    NavItem("members", _("党员"), "people:member_list", "star", frozenset(MEMBER_ROLES), order=210),
    NavItem("my_member", _("我的党员信息"), "people:my_member", "id-card", frozenset({Role.PARTY_MEMBER}), order=220),
    NavItem("liaisons", _("包联"), "people:liaison_list", "handshake", frozenset(LIAISON_ROLES), order=290),
)
