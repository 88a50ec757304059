"""今日待办 of member development: applicants not yet talked with past the deadline, and files waiting
for the higher committee (the subdistrict or district) past its deadline."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import ADMIN_ROLES, Role
from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from .models import Recruit, Stage

BRANCH_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_MEMBER}


@register(order=152)
def recruitment_todo(user) -> list[TodoItem]:
    role = active_role(user)
    today = timezone.localdate()
    visible = Recruit.objects.visible_to(user)
    groups = {}
    if role in BRANCH_ROLES:
        groups["talk"] = visible.filter(status=Stage.APPLICANT, talked_on__isnull=True, next_due__lt=today)
    if role in ADMIN_ROLES or user.is_superuser:
        groups["approve"] = visible.filter(status=Stage.PENDING_APPROVAL)
        groups["convert"] = visible.filter(status=Stage.PENDING_CONVERSION)
    if not groups:
        return []
    counts = capped_counts(groups)
    items = []
    board = reverse("recruitment:board")
    if counts.get("talk"):
        items.append(TodoItem(_("入党申请人谈话已逾期"), board + "?stage=applicant", count=counts["talk"], urgent=True))
    if counts.get("approve"):
        items.append(TodoItem(_("预备党员待审批"), board + "?stage=pending_approval", count=counts["approve"]))
    if counts.get("convert"):
        items.append(TodoItem(_("预备党员转正待审批"), board + "?stage=pending_conversion", count=counts["convert"]))
    return items
