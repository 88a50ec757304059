"""今日待办 of assessment: a secretary who owes a 述职; a panel member with 述职 waiting for their score;
the district with sheets ready to confirm; a street chief (subdistrict admin) with stationed departments
waiting for their score."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from . import selectors
from .models import FindingStatus

COUNT_CAP = 99


@register(order=65)
def assessment_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    items: list[TodoItem] = []
    if role in (Role.PARTY_MEMBER, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN):
        # a secretary, whatever role is active (a community committee's secretary is often a worker)
        counts = capped_counts(
            {
                "owed": selectors.reports_owed(user),
                "open": selectors.my_findings(user).filter(status=FindingStatus.OPEN),
            },
            COUNT_CAP,
        )
        mine = reverse("assessment:mine")
        if counts["owed"]:
            items.append(TodoItem(_("待提交的述职"), f"{mine}?show=owed", counts["owed"], urgent=True))
        if counts["open"]:
            items.append(TodoItem(_("督导发现待整改的问题"), f"{mine}?show=findings", counts["open"]))
    if role in (Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN):
        counts = capped_counts(
            {"panel": selectors.panel_waiting(user), "chief": selectors.chief_waiting(user)}, COUNT_CAP
        )
        if counts["panel"]:
            items.append(TodoItem(_("待评议打分的述职"), f"{reverse('assessment:mine')}?show=panel", counts["panel"]))
        if counts["chief"]:
            items.append(
                TodoItem(_("待街长评分的驻街部门"), f"{reverse('assessment:mine')}?show=chief", counts["chief"])
            )
    return items
