"""Who may do what in the time bank: the role set of its community pages and the predicates of its writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.scoping import scope_for
from dangjian.territory.models import Area

# The community's ledger pages (grants, corrections).
WORKER_ROLES = frozenset({Role.COMMUNITY_WORKER})
# A person's own account (the menu entry; the page itself is open to anyone signed in).
HOLDER_ROLES = frozenset({Role.PARTY_MEMBER, Role.RESIDENT})


def covers_everything(actor: Any) -> bool:
    """A system administrator: the only one who may correct a transfer between two people."""
    return scope_for(actor).everything


def check_worker(actor: Any, community: Area) -> None:
    """Grants and corrections are made by someone whose scope covers the community."""
    scope = scope_for(actor)
    if scope.everything:
        return
    if not scope.area_path or not community.path.startswith(scope.area_path):
        raise ValidationError(_("只有本社区的工作人员可以办理。"))
