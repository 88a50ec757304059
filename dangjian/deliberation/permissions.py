"""Who may do what in deliberation: role sets and predicates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.meetings.permissions import manages_area

# Who runs councils, screens topics and runs 四议两公开 (each within their territory).
MANAGE_ROLES = MANAGER_ROLES
# Who may raise a topic on the phone.
PROPOSE_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.GRID_WORKER, Role.COMMUNITY_WORKER})
# Who may ask a question on a disclosure (signed in).
ASK_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.UNIT_CONTACT})


def require_manager(actor: Any, area_path: str, what: str) -> None:
    if not manages_area(actor, area_path):
        raise ValidationError(_("只有本社区的社区工作者或上级管理员可以%(w)s。") % {"w": what})
