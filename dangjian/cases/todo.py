"""今日待办 of governance cases, most pressing first: overdue cases (and, for the subdistrict and
district admins, the overdue cases escalated to them), cases due soon, cases waiting to be accepted,
signed for or handled, summonses a department has not reported on, extensions waiting for a decision.

Every queue is a tab of the case list (selectors.QUEUES): an item's count is that list's count, and
its link opens that list. Counts are exact up to core.keyset.COUNT_CAP and read "1000+" above it: each is a
capped subquery over an index range of the scope, never a COUNT of the whole scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core import keyset
from dangjian.core.scoping import Scope, active_role, scope_for
from dangjian.core.todo import TodoItem, register

from . import selectors
from .models import Case, Summons
from .workflow import OPEN_STATUSES

# Beyond this many cases of a kind, one more item links to the list.
MAX_ITEMS = 5
OPEN = [str(s) for s in OPEN_STATUSES]


def _label(case: Case) -> str:
    where = case.address or (case.community.name if case.community is not None else "")
    text = f"{case.number} {case.category.name}"
    return f"{text}（{where}）" if where else text


def _list_url(tab: str) -> str:
    return f"{reverse('cases:list')}?tab={tab}"


def _queue(user: Any, key: str, scopes: list[Q]) -> list[QuerySet]:
    """The queue as the list shows it (selectors.list_parts with tab=<queue>): its count is the list's."""
    return selectors.list_parts(user, scopes, tab=key)


def _has_list(user: Any) -> bool:
    """Members and unit contacts handle the cases they claimed from their case pages: no desk list."""
    from .permissions import DESK_ROLES

    return active_role(user) in DESK_ROLES


def _case_items(user: Any, key: str, scopes: list[Q], title, *, urgent: bool, more_title: str) -> list[TodoItem]:
    """Up to MAX_ITEMS cases, each linking to its page; beyond that one item counting the whole queue."""
    parts = _queue(user, key, scopes)
    cases = selectors.attach_related(keyset.first_rows(parts, selectors.LIST_ORDER, MAX_ITEMS + 1))
    items = [TodoItem(title(case), case.get_absolute_url(), urgent=urgent) for case in cases[:MAX_ITEMS]]
    if len(cases) > MAX_ITEMS and _has_list(user):
        count = keyset.capped_counts({key: parts})[key]
        items.append(TodoItem(more_title, _list_url(key), count, urgent=urgent))
    return items


def _count_item(user: Any, key: str, scopes: list[Q], title: str, *, urgent: bool = False) -> list[TodoItem]:
    """One item counting the queue and opening it; without a desk list, its cases one by one."""
    if not _has_list(user):
        label = lambda case: f"{title}：{_label(case)}"  # noqa: E731
        return _case_items(user, key, scopes, label, urgent=urgent, more_title=title)
    count = keyset.capped_counts({key: _queue(user, key, scopes)})[key]
    return [TodoItem(title, _list_url(key), count, urgent=urgent)] if count else []


def _overdue_items(user: Any, scopes: list[Q], now: datetime.datetime) -> list[TodoItem]:
    def title(case: Case) -> str:
        late = now - (case.deadline or now)
        days, hours = late.days, late.seconds // 3600
        span = _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours} if days else _("%(h)s 小时") % {"h": max(hours, 1)}
        level = {1: _("，已上报街道"), 2: _("，已上报区")}.get(case.escalation_level, "")
        return _("已超期 %(span)s%(level)s：%(c)s") % {"span": span, "level": level, "c": _label(case)}

    return _case_items(user, "late", scopes, title, urgent=True, more_title=_("全部超期事件"))


def _due_soon_items(user: Any, scopes: list[Q]) -> list[TodoItem]:
    def title(case: Case) -> str:
        when = timezone.localtime(case.deadline).strftime("%m-%d %H:%M")
        return _("即将到期（%(t)s）：%(c)s") % {"t": when, "c": _label(case)}

    return _case_items(user, "due_soon", scopes, title, urgent=False, more_title=_("我负责的全部即将到期事件"))


def _waiting_items(user: Any, scopes: list[Q]) -> list[TodoItem]:
    items = _count_item(user, "late_accept", scopes, _("超时未受理的事件"), urgent=True)
    items += _count_item(user, "to_accept", scopes, _("待受理的事件"))
    items += _count_item(user, "to_sign", scopes, _("派给我的待签收事件"))
    items += _count_item(user, "my_handling", scopes, _("我正在办理的事件"))
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
        from .whistle.services import whistles_visible_to

        missing = Summons.objects.filter(
            open_q, whistle__in=whistles_visible_to(user).values("pk"), whistle__report_by__lt=now
        ).count()
        if missing:
            return [TodoItem(_("吹哨召集的部门超时未报到或未处置"), f"{board}?late=1", missing, urgent=True)]
    return []


def _extension_items(user: Any, scopes: list[Q]) -> list[TodoItem]:
    parts = _queue(user, "extensions", scopes)
    rows = keyset.first_rows(parts, selectors.LIST_ORDER, MAX_ITEMS + 1)
    items = [
        TodoItem(_("延期申请待审批：%(n)s") % {"n": case.number}, case.get_absolute_url()) for case in rows[:MAX_ITEMS]
    ]
    if len(rows) > MAX_ITEMS:
        count = keyset.capped_counts({"extensions": parts})["extensions"]
        items.append(TodoItem(_("全部待审批的延期申请"), _list_url("extensions"), count))
    return items


@register(order=20)
def case_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    if not role or role in ("superuser", Role.RESIDENT):
        return []
    scope = scope_for(user)
    now = timezone.now()
    scopes = selectors.list_scopes(user)  # once: whether the user owns cases outside the scope
    items = _overdue_items(user, scopes, now)
    items += _due_soon_items(user, scopes)
    items += _waiting_items(user, scopes)
    items += _summons_items(role, scope, user, now)
    items += _extension_items(user, scopes)
    return items
