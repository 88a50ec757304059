"""今日待办 of org life: a secretary's meetings overdue and due this period in the branches they run;
a community worker's or admin's count of overdue items in their territory (the branches behind)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from . import selectors

COUNT_CAP = 99


@register(order=60)
def orglife_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    today = timezone.localdate()
    if role == Role.PARTY_MEMBER:
        # the branches the secretary runs with meetings late / still to hold: the home list, narrowed
        counts = capped_counts(
            {show: selectors.branches(user, show=show, today=today) for show in ("late", "open")}, COUNT_CAP
        )
        home = reverse("orglife:home")
        items = []
        if counts["late"]:
            items.append(TodoItem(_("组织生活逾期未开的支部"), f"{home}?show=late", counts["late"], urgent=True))
        if counts["open"]:
            items.append(TodoItem(_("本期待开组织生活的支部"), f"{home}?show=open", counts["open"]))
        return items
    if role in MANAGER_ROLES:
        # the same list the page of the branches behind opens
        late = capped_counts({"late": selectors.behind(user, today=today)}, COUNT_CAP)["late"]
        if late:
            return [TodoItem(_("支部组织生活滞后"), reverse("orglife:behind"), late, urgent=True)]
    return []
