"""今日待办 of the demand loop, late items first (registered by the lead in dashboard/apps.py).

Who is responsible for a step: the community's workers while a demand waits to be accepted, is
accepted but not yet given out, or is published and nobody claimed it; the assignee (the member, the
unit's contact, the team leader) once it is dispatched or taken. Demands escalated by the lateness
scan also go to the community's Party secretary (the community worker marked is_secretary).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment, active_role
from dangjian.core.scoping import prefix_q, scope_for
from dangjian.dashboard.todo import TodoItem, register

from .models import OPEN_DEMAND_STATUSES, Demand, DemandStatus

MAX_ITEMS = 5
WORKER_STATUSES = [DemandStatus.SUBMITTED, DemandStatus.ACCEPTED, DemandStatus.PUBLISHED]
ASSIGNEE_STATUSES = [DemandStatus.DISPATCHED, DemandStatus.TAKEN]


def _items(qs: QuerySet, title, *, urgent: bool, more_url: str, more_title: str) -> list[TodoItem]:
    rows = list(qs.select_related("community")[: MAX_ITEMS + 1])
    items = [TodoItem(title(d), d.get_absolute_url(), urgent=urgent) for d in rows[:MAX_ITEMS]]
    if len(rows) > MAX_ITEMS:
        items.append(TodoItem(more_title, more_url, qs.count(), urgent=urgent))
    return items


def _late_title(d: Demand) -> str:
    if d.escalated_at is not None:
        return _("已超时并上报书记（%(s)s）：%(t)s") % {"s": d.get_status_display(), "t": d.title}
    return _("已超时（%(s)s）：%(t)s") % {"s": d.get_status_display(), "t": d.title}


def _assignee_q(user: Any, unit_id: int | None) -> Q:
    q = Q(assigned_user_id=user.pk) | Q(assigned_member__user_id=user.pk)
    if unit_id:
        q |= Q(assigned_unit_id=unit_id)
    return q & Q(status__in=ASSIGNEE_STATUSES)


def _worker_items(area_path: str, now: Any, secretary: bool) -> list[TodoItem]:
    subtree = prefix_q("area_path", area_path)
    desk = reverse("demands:desk")
    late = Demand.objects.filter(subtree, status__in=WORKER_STATUSES, step_due_at__lt=now)
    if secretary:
        # Escalated demands of the community, whoever's step is late.
        late = Demand.objects.filter(subtree, status__in=sorted(OPEN_DEMAND_STATUSES)).filter(
            Q(status__in=WORKER_STATUSES, step_due_at__lt=now) | Q(escalated_at__isnull=False)
        )
    items = _items(
        late.order_by("step_due_at", "pk"),
        _late_title,
        urgent=True,
        more_url=desk,
        more_title=_("全部超时的群众需求"),
    )
    waiting = Demand.objects.filter(subtree, status=DemandStatus.SUBMITTED).filter(
        Q(step_due_at__isnull=True) | Q(step_due_at__gte=now)
    )
    count = waiting.count()
    if count:
        items.append(TodoItem(_("待受理的群众需求"), f"{desk}?status={DemandStatus.SUBMITTED}", count))
    return items


def _assignee_items(user: Any, unit_id: int | None, now: Any) -> list[TodoItem]:
    mine = Demand.objects.filter(_assignee_q(user, unit_id))
    tasks = reverse("demands:tasks")
    items = _items(
        mine.filter(step_due_at__lt=now).order_by("step_due_at", "pk"),
        _late_title,
        urgent=True,
        more_url=tasks,
        more_title=_("全部超时的承接需求"),
    )
    on_time = mine.filter(Q(step_due_at__isnull=True) | Q(step_due_at__gte=now))
    dispatched = on_time.filter(status=DemandStatus.DISPATCHED).count()
    taken = on_time.filter(status=DemandStatus.TAKEN).count()
    if dispatched:
        items.append(TodoItem(_("派给我的待接单需求"), tasks, dispatched))
    if taken:
        items.append(TodoItem(_("我正在办理的需求"), tasks, taken))
    return items


@register
def demand_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    if not role or role in ("superuser", Role.RESIDENT):
        return []
    now = timezone.now()
    scope = scope_for(user)
    if role == Role.COMMUNITY_WORKER and scope.area_path:
        assignment = active_assignment(user)
        secretary = bool(assignment is not None and assignment.is_secretary)
        return _worker_items(scope.area_path, now, secretary)
    if role in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.DEPARTMENT_STAFF):
        return []
    # Members, unit contacts, and anyone leading a team a demand was dispatched to.
    return _assignee_items(user, scope.unit_id, now)
