"""今日待办 of the centres: room bookings waiting for the manager's approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from . import selectors
from .permissions import MANAGE_ROLES


@register(order=30)
def booking_todos(user: Any) -> list[TodoItem]:
    if active_role(user) not in MANAGE_ROLES:
        return []
    # The same selector as the approval list, so the count and the list agree.
    count = selectors.pending_bookings(user).count()
    if not count:
        return []
    return [TodoItem(_("功能室预约待审批"), reverse("centers:approvals"), count)]
