"""Who runs a meeting: a manager whose territory holds it, or its chair or recorder."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import MANAGER_ROLES
from dangjian.core.scoping import scope_for

from .models import Meeting


def manages_area(actor: Any, area_path: str) -> bool:
    """The system, a superuser, or a manager (community worker or admin) whose territory holds the path."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    return scope.role in MANAGER_ROLES and bool(scope.area_path) and area_path.startswith(scope.area_path or "-")


def runs(actor: Any, meeting: Meeting) -> bool:
    """May act as the meeting's secretary: open, sign others in, count hands, draft the minutes."""
    if actor is None or manages_area(actor, meeting.area_path):
        return True
    return actor.pk in {meeting.chair_id, meeting.recorder_id}
