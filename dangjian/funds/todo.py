"""今日待办 of funds for district administrators: allocations waiting for their approval (entered by
someone else) and areas whose guaranteed funds are below the floor this year."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.keyset import capped_count
from dangjian.core.scoping import active_role, scope_for
from dangjian.core.todo import TodoItem, register
from dangjian.territory.models import Area

from . import pages
from .models import Allocation, AllocationStatus

COUNT_CAP = 99


@register(order=60)
def funds_todos(user: Any) -> list[TodoItem]:
    if active_role(user) != "district_admin":
        return []
    scope = scope_for(user)
    items = []
    waiting = capped_count(
        Allocation.objects.visible_to(user).filter(status=AllocationStatus.PENDING).exclude(entered_by=user),
        COUNT_CAP,
    )
    if waiting:
        items.append(TodoItem(_("待审批的经费拨付"), reverse("funds:allocations"), waiting))
    district = Area.objects.filter(path=scope.area_path or "", level="district").first()
    if district is not None:
        short = pages.shortfalls(district, pages.current_year())
        areas = {area.pk for area, _cell in short}
        if areas:
            items.append(
                TodoItem(_("保障经费未达保底的社区或街道"), reverse("funds:overview"), len(areas), urgent=True)
            )
    return items
