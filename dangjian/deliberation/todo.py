"""今日待办 of deliberation: topics waiting to be screened, resolutions waiting to be published."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from .models import Run, RunStatus, Topic, TopicStatus
from .permissions import MANAGE_ROLES


@register(order=150)
def deliberation_todo(user) -> list[TodoItem]:
    if not (user.is_superuser or active_role(user) in MANAGE_ROLES):
        return []
    counts = capped_counts(
        {
            "topics": Topic.objects.visible_to(user).filter(status=TopicStatus.RECEIVED),
            "resolved": Run.objects.visible_to(user).filter(status=RunStatus.RESOLVED),
        }
    )
    topics, resolved = counts["topics"], counts["resolved"]
    items = []
    if topics:
        items.append(TodoItem(_("居民议题待筛选"), reverse("deliberation:topics") + "?status=received", count=topics))
    if resolved:
        items.append(TodoItem(_("决议待公开"), reverse("deliberation:runs") + "?status=resolved", count=resolved))
    return items
