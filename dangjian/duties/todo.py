"""今日待办 of duty lists and admission: the district's admission requests waiting for its decision; a
community's replies owed to tasks sent down. Each opens a list of exactly that many."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from . import selectors
from .models import AdmissionStatus

COUNT_CAP = 99


@register(order=66)
def duties_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    items: list[TodoItem] = []
    if role == Role.DISTRICT_ADMIN:
        n = capped_counts({"n": selectors.awaiting_decision(user)}, COUNT_CAP)["n"]
        if n:
            url = f"{reverse('duties:admissions')}?status={AdmissionStatus.SUBMITTED}"
            items.append(TodoItem(_("待审批的社区工作事项准入申请"), url, n))
    if role == Role.COMMUNITY_WORKER:
        n = capped_counts({"n": selectors.inbox(user, "owed")}, COUNT_CAP)["n"]
        if n:
            items.append(TodoItem(_("上级下派待填报的任务"), f"{reverse('duties:inbox')}?show=owed", n, urgent=False))
    return items
