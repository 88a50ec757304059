"""今日待办 of governance cases, most pressing first: overdue cases (and, for the subdistrict and
district admins, the overdue cases escalated to them), cases due soon, cases waiting to be accepted
or signed for, summonses a department has not reported on, extensions waiting for a decision."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_role
from dangjian.core.scoping import Scope, prefix_q, scope_for
from dangjian.dashboard.todo import TodoItem, register

from .models import OPEN_STATUSES, Case, CasePolicy, CaseStatus, Extension, ExtensionStatus, Summons

# Beyond this many cases of a kind, one more item links to the list.
MAX_ITEMS = 5
OPEN = [str(s) for s in OPEN_STATUSES]


def _receiver_q(user: Any, role: str, scope: Scope) -> Q:
    """Cases assigned to the user: by name, to their department or unit, or to their grid/community."""
    q = Q(assigned_user_id=user.pk)
    if scope.department_id:
        q |= Q(assigned_department_id=scope.department_id)
    if scope.unit_id:
        q |= Q(assigned_unit_id=scope.unit_id)
    if scope.area_path and role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER):
        q |= Q(assigned_area__path=scope.area_path, assigned_user__isnull=True, assignee_kind__in=("grid", "community"))
    return q


def _escalated_q(role: str, scope: Scope) -> Q | None:
    """Overdue cases escalated to the admin's level (1 = subdistrict, 2 = district)."""
    if role == Role.SUBDISTRICT_ADMIN:
        return prefix_q("area_path", scope.area_path) & Q(escalation_level__gte=1)
    if role == Role.DISTRICT_ADMIN:
        return prefix_q("area_path", scope.area_path) & Q(escalation_level__gte=2)
    return None


def _warn_hours(scope: Scope) -> int:
    district_path = (scope.area_path or "")[:4]
    policy = CasePolicy.objects.filter(district__path=district_path).first() if district_path else None
    return (policy or CasePolicy()).warn_before_hours


def _label(case: Case) -> str:
    where = case.address or (case.community.name if case.community is not None else "")
    text = f"{case.number} {case.category.name}"
    return f"{text}（{where}）" if where else text


def _case_items(qs: QuerySet, title, *, urgent: bool, more_url: str, more_title: str) -> list[TodoItem]:
    cases = list(qs.select_related("category", "community")[: MAX_ITEMS + 1])
    items = [TodoItem(title(case), case.get_absolute_url(), urgent=urgent) for case in cases[:MAX_ITEMS]]
    if len(cases) > MAX_ITEMS:
        items.append(TodoItem(more_title, more_url, qs.count(), urgent=urgent))
    return items


def _list_url(tab: str) -> str:
    return f"{reverse('cases:list')}?tab={tab}"


def _overdue_items(responsible: Q, escalated: Q | None, now: datetime.datetime) -> list[TodoItem]:
    q = responsible | escalated if escalated is not None else responsible
    qs = Case.objects.filter(q, status__in=OPEN, deadline__lt=now).order_by("deadline", "pk")

    def title(case: Case) -> str:
        late = now - (case.deadline or now)
        days, hours = late.days, late.seconds // 3600
        span = _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours} if days else _("%(h)s 小时") % {"h": max(hours, 1)}
        level = {1: _("，已上报街道"), 2: _("，已上报区")}.get(case.escalation_level, "")
        return _("已超期 %(span)s%(level)s：%(c)s") % {"span": span, "level": level, "c": _label(case)}

    return _case_items(qs, title, urgent=True, more_url=_list_url("overdue"), more_title=_("全部超期事件"))


def _due_soon_items(responsible: Q, hours: int, now: datetime.datetime) -> list[TodoItem]:
    horizon = now + datetime.timedelta(hours=hours)
    qs = Case.objects.filter(responsible, status__in=OPEN, deadline__gte=now, deadline__lte=horizon).order_by(
        "deadline", "pk"
    )

    def title(case: Case) -> str:
        when = timezone.localtime(case.deadline).strftime("%m-%d %H:%M")
        return _("即将到期（%(t)s）：%(c)s") % {"t": when, "c": _label(case)}

    return _case_items(qs, title, urgent=False, more_url=_list_url("mine"), more_title=_("我负责的全部事件"))


def _acceptance_q(role: str, scope: Scope) -> Q | None:
    """Submitted cases each dispatching level accepts: those that landed at its own level."""
    if not scope.area_path:
        return None
    subtree = prefix_q("area_path", scope.area_path)
    if role == Role.COMMUNITY_WORKER:
        return subtree
    if role == Role.SUBDISTRICT_ADMIN:
        return subtree & Q(community__isnull=True)
    if role == Role.DISTRICT_ADMIN:
        return subtree & Q(subdistrict__isnull=True)
    return None


def _waiting_items(role: str, scope: Scope, receiver: Q) -> list[TodoItem]:
    items = []
    accept = _acceptance_q(role, scope)
    if accept is not None:
        waiting = Case.objects.filter(accept, status=CaseStatus.SUBMITTED)
        from .deadlines import unaccepted_warned_q

        late = waiting.filter(unaccepted_warned_q()).count()
        count = waiting.count()
        if late:
            items.append(TodoItem(_("超时未受理的事件"), _list_url(CaseStatus.SUBMITTED), late, urgent=True))
        if count - late:
            items.append(TodoItem(_("待受理的事件"), _list_url(CaseStatus.SUBMITTED), count - late))
    signing = Case.objects.filter(receiver, status=CaseStatus.DISPATCHED).count()
    if signing:
        items.append(TodoItem(_("派给我的待签收事件"), _list_url(CaseStatus.DISPATCHED), signing))
    return items


def _summons_items(role: str, scope: Scope, user: Any, now: datetime.datetime) -> list[TodoItem]:
    open_q = Q(whistle__closed_at__isnull=True, whistle__case__status__in=OPEN, acted_at__isnull=True)
    board = reverse("cases:whistle_board")
    if role == Role.DEPARTMENT_STAFF and scope.department_id:
        qs = (
            Summons.objects.filter(open_q, department_id=scope.department_id)
            .select_related("whistle", "whistle__case")
            .order_by("whistle__report_by", "pk")
        )
        rows = list(qs[: MAX_ITEMS + 1])
        items = []
        for summons in rows[:MAX_ITEMS]:
            whistle = summons.whistle
            when = timezone.localtime(whistle.report_by).strftime("%m-%d %H:%M")
            if summons.acknowledged_at is None:
                stage = _("待响应")
            else:
                stage = _("待到场") if summons.attended_at is None else _("待处置")
            late = whistle.report_by < now
            title = (_("吹哨召集已超时（%(t)s）%(s)s：%(n)s") if late else _("吹哨召集（%(t)s 前）%(s)s：%(n)s")) % {
                "t": when,
                "s": stage,
                "n": whistle.case.number,
            }
            items.append(TodoItem(title, reverse("cases:whistle_detail", args=[whistle.public_id]), urgent=late))
        if len(rows) > MAX_ITEMS:
            items.append(TodoItem(_("全部待报到的召集"), board, qs.count()))
        return items
    if role in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER):
        from .whistle_services import whistles_visible_to

        missing = Summons.objects.filter(
            open_q, whistle__in=whistles_visible_to(user).values("pk"), whistle__report_by__lt=now
        ).count()
        if missing:
            return [TodoItem(_("吹哨召集的部门超时未报到或未处置"), f"{board}?late=1", missing, urgent=True)]
    return []


def _extension_items(role: str, scope: Scope) -> list[TodoItem]:
    if role not in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN) or not scope.area_path:
        return []
    qs = (
        Extension.objects.filter(status=ExtensionStatus.PENDING, case__status__in=OPEN)
        .filter(prefix_q("case__area_path", scope.area_path))
        .select_related("case")
        .order_by("requested_at", "pk")
    )
    rows = list(qs[: MAX_ITEMS + 1])
    items = [
        TodoItem(_("延期申请待审批：%(n)s") % {"n": ext.case.number}, ext.case.get_absolute_url())
        for ext in rows[:MAX_ITEMS]
    ]
    if len(rows) > MAX_ITEMS:
        items.append(TodoItem(_("全部待审批的延期申请"), reverse("cases:list"), qs.count()))
    return items


@register
def case_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    if not role or role in ("superuser", Role.RESIDENT):
        return []
    scope = scope_for(user)
    now = timezone.now()
    receiver = _receiver_q(user, role, scope)
    responsible = Q(owner_id=user.pk) | receiver
    items = _overdue_items(responsible, _escalated_q(role, scope), now)
    items += _due_soon_items(responsible, _warn_hours(scope), now)
    items += _waiting_items(role, scope, receiver)
    items += _summons_items(role, scope, user, now)
    items += _extension_items(role, scope)
    return items
