"""The audit menu entry (see core.navigation; `order` places it among the other apps')."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

from .permissions import AUDIT_ROLES

register(NavItem("audit", _("审计"), "audit:list", "shield-check", frozenset(AUDIT_ROLES), order=370))
