"""The token page in the menu: for the staff roles that connect other systems (a resident has none)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.navigation import NavItem, register

TOKEN_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.DEPARTMENT_STAFF})

register(NavItem("api_tokens", _("接口令牌"), "api_tokens", "key-round", TOKEN_ROLES, order=980))
