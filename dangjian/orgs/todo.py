"""今日待办 of weak-organization cases: a person's steps overdue or due soon; an admin's approvals."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from .models import WeakCaseStatus
from .permissions import ADMINS, WEAK_ROLES
from .weak import selectors

# Beyond this many steps of each kind, one item links to the person's list.
MAX_STEP_ITEMS = 5


def step_items(user, today) -> list[TodoItem]:
    steps = list(selectors.my_open_steps(user, today=today)[: 2 * MAX_STEP_ITEMS + 1])
    overdue = [s for s in steps if s.deadline < today]
    soon = [s for s in steps if s.deadline >= today]
    items = []
    for step in overdue[:MAX_STEP_ITEMS]:
        title = _("整改措施已超期 %(n)s 天：%(t)s（%(org)s）") % {
            "n": (today - step.deadline).days,
            "t": step.title,
            "org": step.case.org.name,
        }
        items.append(TodoItem(title, f"{step.case.get_absolute_url()}#step-{step.public_id}", urgent=True))
    for step in soon[:MAX_STEP_ITEMS]:
        days = (step.deadline - today).days
        when = _("今天到期") if days == 0 else _("%(n)s 天后到期") % {"n": days}
        title = _("整改措施%(when)s：%(t)s（%(org)s）") % {"when": when, "t": step.title, "org": step.case.org.name}
        items.append(TodoItem(title, f"{step.case.get_absolute_url()}#step-{step.public_id}"))
    if len(overdue) > MAX_STEP_ITEMS or len(soon) > MAX_STEP_ITEMS:
        # Counted as the list it opens counts (the cases with a step of mine under way).
        total = selectors.case_list(user, today=today, mine=True, status=WeakCaseStatus.RECTIFYING).count()
        url = reverse("orgs:weak_list") + f"?mine=1&status={WeakCaseStatus.RECTIFYING}"
        items.append(TodoItem(_("我负责整改措施的全部组织"), url, total))
    return items


# (title, list filters): each count is the count of the list its link opens (selectors.case_list).
APPROVALS = (
    (_lazy("软弱涣散组织摘帽申请待审批"), {"status": WeakCaseStatus.APPLIED}),
    (_lazy("软弱涣散组织整改方案待批准"), {"status": WeakCaseStatus.FLAGGED, "plan": "with"}),
    (_lazy("新列入的软弱涣散组织待制定整改方案"), {"status": WeakCaseStatus.FLAGGED, "plan": "without"}),
)


def approval_items(user, today) -> list[TodoItem]:
    url = reverse("orgs:weak_list")
    items = []
    for title, filters in APPROVALS:
        count = selectors.case_list(user, today=today, **filters).count()
        if count:
            items.append(TodoItem(str(title), f"{url}?{urlencode(filters)}", count))
    return items


@register(order=50)
def weak_org_todos(user) -> list[TodoItem]:
    role = active_role(user)
    if role not in WEAK_ROLES:
        return []
    today = timezone.localdate()
    items = step_items(user, today)
    if role in ADMINS:
        items += approval_items(user, today)
    return items
