"""Who may do what in 民生微实事: role sets and predicates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.meetings.permissions import manages_area

MANAGE_ROLES = MANAGER_ROLES
# Who proposes from the phone (a resident or member of the community; a worker proposes at the desk).
PROPOSE_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.GRID_WORKER})
# 双认领: resident units (their contacts) and in-service Party members.
CLAIM_ROLES = frozenset({Role.UNIT_CONTACT, Role.PARTY_MEMBER})
# Who gives a satisfaction vote at acceptance.
VOTE_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER})
PHONE_ROLES = PROPOSE_ROLES | CLAIM_ROLES | VOTE_ROLES


def require_manager(actor: Any, area_path: str, what: str) -> None:
    if not manages_area(actor, area_path):
        raise ValidationError(_("只有本社区的社区工作者或上级管理员可以%(w)s。") % {"w": what})
