"""今日待办 of the demand loop, late items first (found by core's autodiscovery of todo modules).

Who is responsible for a step: the community's workers while a demand waits to be accepted, is
accepted but not yet given out, or is published and nobody claimed it; the assignee (the member, the
unit's contact, the team leader) once it is dispatched or taken. Demands escalated by the lateness
scan also go to the community's Party secretary (the community worker marked is_secretary).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.keyset import capped_count
from dangjian.core.scoping import active_role, active_scope
from dangjian.core.todo import TodoItem, register

from . import selectors
from .models import Demand, DemandStatus

MAX_ITEMS = 5
# Each count reads at most this many rows from an index (exact below, "999+" above): the lists it opens.
COUNT_CAP = selectors.COUNT_CAP


def _items(qs: QuerySet, title, *, urgent: bool, more_url: str, more_title: str) -> list[TodoItem]:
    """Up to MAX_ITEMS demands, each linking to its page; beyond that one item counting the whole list
    (up to COUNT_CAP)."""
    rows = list(qs.select_related("community").order_by("step_due_at", "pk")[: MAX_ITEMS + 1])
    items = [TodoItem(title(d), d.get_absolute_url(), urgent=urgent) for d in rows[:MAX_ITEMS]]
    if len(rows) > MAX_ITEMS:
        items.append(TodoItem(more_title, more_url, capped_count(qs, COUNT_CAP, qs.query.order_by), urgent=urgent))
    return items


def _late_title(d: Demand) -> str:
    if d.escalated_at is not None:
        return _("已超时并上报书记（%(s)s）：%(t)s") % {"s": d.get_status_display(), "t": d.title}
    return _("已超时（%(s)s）：%(t)s") % {"s": d.get_status_display(), "t": d.title}


def _worker_items(user: Any) -> list[TodoItem]:
    """The desk's own lists (selectors.desk_list): each count is the count of the tab it opens."""
    desk = reverse("demands:desk")
    items = _items(
        selectors.desk_list(user, tab="late"),
        _late_title,
        urgent=True,
        more_url=f"{desk}?tab=late",
        more_title=_("全部超时的群众需求"),
    )
    count = capped_count(selectors.desk_list(user, tab=DemandStatus.SUBMITTED), COUNT_CAP, selectors.DESK_ORDERING)
    if count:
        items.append(TodoItem(_("待受理的群众需求"), f"{desk}?tab={DemandStatus.SUBMITTED}", count))
    return items


def _assignee_items(user: Any) -> list[TodoItem]:
    """My tasks (selectors.my_tasks): each count is the count of the filter it opens."""
    tasks = reverse("demands:tasks")
    items = _items(
        selectors.my_tasks(user, show="late"),
        _late_title,
        urgent=True,
        more_url=f"{tasks}?show=late",
        more_title=_("全部超时的承接需求"),
    )
    dispatched = capped_count(selectors.my_tasks(user, show=DemandStatus.DISPATCHED), COUNT_CAP)
    taken = capped_count(selectors.my_tasks(user, show=DemandStatus.TAKEN), COUNT_CAP)
    if dispatched:
        items.append(TodoItem(_("派给我的待接单需求"), f"{tasks}?show={DemandStatus.DISPATCHED}", dispatched))
    if taken:
        items.append(TodoItem(_("我正在办理的需求"), f"{tasks}?show={DemandStatus.TAKEN}", taken))
    return items


@register(order=40)
def demand_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    if not role or role in ("superuser", Role.RESIDENT):
        return []
    if role == Role.COMMUNITY_WORKER and active_scope(user).area_path:
        return _worker_items(user)
    if role in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.DEPARTMENT_STAFF):
        return []
    # Members, unit contacts, and anyone leading a team a demand was dispatched to.
    return _assignee_items(user)
